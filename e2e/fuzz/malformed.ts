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

/** A client frame with a zero mask key (RFC 6455 §5.3: the payload goes as it is). */
const maskedFrame = (firstByte: number, payload: Buffer) =>
  Buffer.concat([Buffer.from([firstByte, 0x80 | payload.length, 0, 0, 0, 0]), payload]);

/** WebSocket frames, good and bad: ping text, binary, oversized, unmasked, bad opcodes, bad close codes, bad UTF-8. */
const frame: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constant(maskedFrame(0x81, Buffer.from('ping'))),
  fc.constant(Buffer.from([0x81, 0x04, ...Buffer.from('ping')])),
  fc.constant(maskedFrame(0x81, Buffer.from([0xff, 0xfe]))),
  fc.constant(maskedFrame(0x88, Buffer.from([0, 0]))),
  fc.constant(maskedFrame(0x83, Buffer.from('x'))),
  fc.constant(Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])),
  fc.uint8Array({ maxLength: 100 }).map((bytes) => maskedFrame(0x82, Buffer.from(bytes))),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
);

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
  // Half the handshakes are well formed with a live flow's token, so frames reach an open socket.
  const liveToken = fc.nat().map((i) => session.authTokens[i % session.authTokens.length] ?? '');
  const handshake = fc
    .record({
      token,
      liveToken,
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
      method: fc.constantFrom('GET', 'POST', 'HEAD'),
      wellFormed: fc.boolean(),
      frames: fc.array(frame, { maxLength: 3 }),
    })
    .map((drawn) => {
      const h = drawn.wellFormed
        ? {
            ...drawn,
            token: drawn.liveToken,
            upgrade: 'websocket',
            connection: 'Upgrade',
            key: KEY,
            version: '13',
            method: 'GET',
          }
        : drawn;
      const lines = [`${h.method} /v1/client/status?token=${h.token} HTTP/1.1`, 'Host: localhost'];
      const add = (name: string, value: string | undefined) => value !== undefined && lines.push(`${name}: ${value}`);
      add('Upgrade', h.upgrade);
      add('Connection', h.connection);
      add('Sec-WebSocket-Key', h.key);
      add('Sec-WebSocket-Version', h.version);
      add('Sec-WebSocket-Protocol', h.protocol);
      add('Sec-WebSocket-Extensions', h.extensions);
      // Frames right behind the handshake reach the socket once it is open.
      return {
        route: 'WebSocket handshake',
        bytes: Buffer.concat([latin1(`${lines.join('\r\n')}\r\n\r\n`), ...h.frames]),
      };
    });
  return fc.oneof(garbled, handshake);
}
