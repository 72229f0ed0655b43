import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiErrors } from '../errors/catalogue.js';
import { SECURITY_HEADERS } from './security-headers.js';

/**
 * The answers Fastify, Node's HTTP parser and `ws` write on their own, before any route or error
 * handler runs, rewritten in the contract's `{ code, message }` with the security headers: a path
 * that does not decode, a path parameter over the router's limit (whose default answer echoed the
 * path), bytes that are not HTTP, and a WebSocket handshake `ws` refuses (text/html by default).
 * Messages never repeat what the client sent.
 */

const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'the URL path is not valid percent-encoded UTF-8',
  FST_ERR_MAX_PARAM_LENGTH: 'a segment of the URL path is longer than this server accepts',
};

/** Fastify's `frameworkErrors` option: routing failures that happen before the route is known. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  reply
    .headers(SECURITY_HEADERS)
    .status(400)
    .send({
      code: apiErrors.INVALID_FIELD.code,
      message: FRAMEWORK_MESSAGES[error.code] ?? 'the request could not be routed',
    });
}

/** Fastify's `clientErrorHandler` option: the HTTP parser refused the bytes on a connection. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    writeRawError(socket, 408, 'the request was not received in time');
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    writeRawError(socket, 431, 'the request headers are larger than this server accepts');
  } else {
    writeRawError(socket, 400, 'the request is not valid HTTP/1.1');
  }
}

/** A handshake `ws` refuses (a missing key, an unknown version) gets the contract's body too. */
export function installWebSocketHandshakeErrors(app: FastifyInstance): void {
  app.websocketServer.on('wsClientError', (error: Error, socket: Duplex) => {
    // RFC 6455 §4.4: name the version this server speaks.
    writeRawError(socket, 400, `WebSocket handshake refused: ${error.message}`, { 'sec-websocket-version': '13' });
  });
}

/** Answers on a bare socket, where no reply object exists, then closes it. */
function writeRawError(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ code: apiErrors.INVALID_FIELD.code, message });
  const head = {
    ...SECURITY_HEADERS,
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const lines = Object.entries(head).map(([name, value]) => `${name}: ${value}`);
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
}
