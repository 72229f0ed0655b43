import fc from 'fast-check';
import { hostileString, uriEncode } from './hostile.js';
import type { FuzzSession } from './session.js';

/**
 * Requests no HTTP client sends, as bytes on a bare socket: broken request lines and headers,
 * lying lengths, and WebSocket handshakes with every part missing, wrong or forged. Each ends with
 * a blank line so the server has all it will get.
 */
export interface RawFuzzRequest {
  route: string;
  bytes: Buffer;
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export function malformedRequests(session: FuzzSession): fc.Arbitrary<RawFuzzRequest> {
  const latin1 = (text: string) => Buffer.from(text, 'latin1');
  const requestLine = fc.oneof(
    fc.constantFrom('GET / HTTP/1.1', 'GET /healthz HTTP/1.0', 'POST /token HTTP/1.1', 'GET /healthz HTTP/2.0'),
    fc
      .tuple(
        fc.constantFrom('GET', 'POST', 'G ET', 'get', 'CONNECT', 'PRI', '', 'GET\u0000'),
        fc.oneof(fc.constantFrom('/', '*', 'http://x/', '/%', '/\u0000', '//', '/a b'), hostileString),
        fc.constantFrom('HTTP/1.1', 'HTTP/9.9', 'HTTP/1.1 x', '', 'HTTP/1.1\r'),
      )
      .map(([method, target, version]) => `${method} ${target} ${version}`),
  );
  const header = fc.oneof(
    fc.constantFrom(
      'Host: localhost',
      'Content-Length: abc',
      'Content-Length: -1',
      'Content-Length: 5\r\nContent-Length: 6',
      'Transfer-Encoding: chunked\r\nContent-Length: 3',
      'Transfer-Encoding: gzip, chunked',
      ' folded: header',
      'Bad Header: x',
      ': empty name',
      'X: \u0000',
      'Content-Type: application/json',
    ),
    fc
      .tuple(fc.string({ unit: 'binary-ascii', maxLength: 20 }), hostileString)
      .map(([name, value]) => `${name}: ${value}`),
    fc.integer({ min: 8_000, max: 20_000 }).map((n) => `X-Filler: ${'a'.repeat(n)}`),
  );
  const garbled = fc
    .tuple(requestLine, fc.array(header, { maxLength: 4 }), fc.constantFrom('', '{}', '0\r\n\r\n', 'zz\r\n'))
    .map(([line, headers, body]) => ({
      route: 'malformed HTTP',
      bytes: latin1(`${[line, ...headers].join('\r\n')}\r\n\r\n${body}`),
    }));

  const token = fc.oneof(
    fc.nat().map((i) => session.authTokens[i % session.authTokens.length] ?? ''),
    hostileString.map(uriEncode),
    fc.constant(''),
  );
  const handshake = fc
    .record({
      token,
      upgrade: fc.constantFrom('websocket', 'WebSocket', 'h2c', '', undefined),
      connection: fc.constantFrom('Upgrade', 'keep-alive, Upgrade', 'close', undefined),
      key: fc.oneof(
        fc.constantFrom(KEY, 'short', '', undefined),
        hostileString.filter((s) => /^[\x20-\x7e]*$/.test(s)),
      ),
      version: fc.constantFrom('13', '8', '99', 'x', '', undefined),
      protocol: fc.constantFrom('chat', 'a,,b', '', undefined),
      extensions: fc.constantFrom(
        'permessage-deflate',
        'permessage-deflate; server_max_window_bits=99',
        ';;',
        undefined,
      ),
      method: fc.constantFrom('GET', 'GET', 'GET', 'POST', 'HEAD'),
    })
    .map((h) => {
      const lines = [`${h.method} /v1/client/status?token=${h.token} HTTP/1.1`, 'Host: localhost'];
      const add = (name: string, value: string | undefined) => value !== undefined && lines.push(`${name}: ${value}`);
      add('Upgrade', h.upgrade);
      add('Connection', h.connection);
      add('Sec-WebSocket-Key', h.key);
      add('Sec-WebSocket-Version', h.version);
      add('Sec-WebSocket-Protocol', h.protocol);
      add('Sec-WebSocket-Extensions', h.extensions);
      return { route: 'WebSocket handshake', bytes: latin1(`${lines.join('\r\n')}\r\n\r\n`) };
    });
  return fc.oneof(garbled, handshake);
}
