// One keep-alive HTTP/1.1 connection per virtual user, written for the flow scenarios: the load
// generator shares the machine's two cores with the server it measures, so the less CPU it spends
// per request, the less it takes from the server. A general client (undici's Pool, used before)
// spent about twice as much per request, on header objects, streams and timers a virtual user
// never needs: 26-30 µs of CPU against 14-15 µs, measured against the empty baseline route. This
// one sends a request and reads one response at a time: a status line, headers, and a body of
// `content-length` bytes or `transfer-encoding: chunked`.
import { connect } from 'node:net';

const HEADER_END = Buffer.from('\r\n\r\n');

export function httpConnection(origin) {
  const { hostname, port } = new URL(origin);
  let socket;
  let pending; // { resolve, reject } of the request in progress
  let buffered = Buffer.alloc(0);

  function open() {
    const own = connect({ host: hostname, port: Number(port), noDelay: true });
    socket = own;
    own.on('data', (chunk) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      let response;
      try {
        response = parseResponse(buffered);
      } catch (error) {
        own.destroy(error);
        return;
      }
      if (!response) return;
      buffered = buffered.subarray(response.length);
      const done = pending;
      pending = undefined;
      if (response.close) close();
      done?.resolve(response);
    });
    const fail = (error) => {
      // A socket closed after its last response (connection: close) is no longer this one's.
      if (socket !== own) return;
      socket = undefined;
      buffered = Buffer.alloc(0);
      const done = pending;
      pending = undefined;
      done?.reject(error ?? new Error('connection closed'));
    };
    own.on('error', fail);
    own.on('close', () => fail());
  }

  function close() {
    socket?.destroy();
    socket = undefined;
  }

  return {
    /** Resolves to `{ status, body }` (the body as a string). One request at a time. */
    request(method, path, headers, body) {
      if (pending) return Promise.reject(new Error('one request at a time per connection'));
      if (!socket) open();
      let head = `${method} ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n`;
      for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
      if (body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
      socket.write(body === undefined ? `${head}\r\n` : `${head}\r\n${body}`);
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
      });
    },
    close,
  };
}

/**
 * The first complete response in `data`, or undefined while more bytes are needed:
 * `{ status, body, length, close }`, `length` being how many bytes of `data` it took.
 */
export function parseResponse(data) {
  const headerEnd = data.indexOf(HEADER_END);
  if (headerEnd < 0) return undefined;
  const head = data.toString('latin1', 0, headerEnd).toLowerCase();
  const status = Number(head.slice(9, 12));
  const close = /\r\nconnection: *close\r\n/.test(`${head}\r\n`);
  const bodyStart = headerEnd + 4;
  const contentLength = /\r\ncontent-length: *(\d+)/.exec(head);
  if (contentLength) {
    const end = bodyStart + Number(contentLength[1]);
    if (data.length < end) return undefined;
    return { status, body: data.toString('utf8', bodyStart, end), length: end, close };
  }
  if (/\r\ntransfer-encoding: *chunked/.test(head)) {
    const parts = [];
    let at = bodyStart;
    for (;;) {
      const lineEnd = data.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(data.toString('latin1', at, lineEnd), 16);
      if (Number.isNaN(size)) throw new Error('malformed chunked response');
      const chunkEnd = lineEnd + 2 + size;
      if (data.length < chunkEnd + 2) return undefined;
      if (size === 0) {
        // No trailers are expected: the last chunk ends with an empty line.
        return { status, body: Buffer.concat(parts).toString('utf8'), length: chunkEnd + 2, close };
      }
      parts.push(data.subarray(lineEnd + 2, chunkEnd));
      at = chunkEnd + 2;
    }
  }
  // No length and not chunked: only a bodiless status (204, 304) is expected here.
  return { status, body: '', length: bodyStart, close };
}
