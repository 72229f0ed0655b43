import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';

/**
 * `@fastify/websocket` logs every error on an open socket at `error` and terminates it. Most are a
 * client's doing (a frame over the size limit, bad UTF-8, a reserved opcode: `ws` codes them
 * `WS_ERR_*`; a connection dropped mid-frame): those are logged at `info`, so clients cannot fill
 * the error log. Anything else is a fault of ours and stays an error.
 */
const CLIENT_SOCKET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

export function onWebSocketError(error: Error, socket: WebSocket, request: FastifyRequest): void {
  const code = (error as { code?: unknown }).code;
  const clientsDoing = typeof code === 'string' && (code.startsWith('WS_ERR_') || CLIENT_SOCKET_ERRORS.has(code));
  if (clientsDoing) request.log.info({ err: error }, 'websocket closed: the client broke the protocol');
  else request.log.error({ err: error }, 'websocket failed');
  socket.terminate();
}
