import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends bytes as they are on a fresh TCP connection and reads the first answer, for requests no
 * HTTP client would send (malformed requests, bad WebSocket handshakes). Resolves with undefined
 * when the server closes without answering or `ms` pass.
 */
export function rawRequest(port: number, bytes: string | Buffer, ms = 5_000): Promise<RawAnswer | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(Buffer.concat(chunks).toString('latin1')));
    };
    const timer = setTimeout(finish, ms);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const answer = parseAnswer(Buffer.concat(chunks).toString('latin1'));
      if (!answer) return;
      // An upgrade (101) has no body: its headers are the whole answer.
      const length = answer.status === 101 ? 0 : Number(answer.headers['content-length'] ?? Infinity);
      if (Buffer.byteLength(answer.body, 'latin1') >= length) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.write(bytes);
  });
}

function parseAnswer(text: string): RawAnswer | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  // A pipelined second answer may follow in the same read: the first ends at its Content-Length.
  const rest = text.slice(end + 4);
  const length = headers['content-length'];
  return { status, headers, body: length === undefined ? rest : rest.slice(0, Number(length)) };
}
