import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { requestPath } from '../logging/request-path.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Routes polled all day (health checks, the dev phone's inbox) log their requests at debug. */
    requestLogLevel?: 'debug' | 'trace';
  }
}

/**
 * Fastify's request lines, changed in two ways: one line per request (written when the answer has
 * been sent: method, path, status, time) instead of an "incoming" and a "completed" line; and the
 * path is the route's pattern (`requestPath`), so no token or number in a path or query reaches the
 * log. A line below the level costs no logger (`lazyChildLogger`).
 */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      path: requestPath(request),
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    // The answer broke off mid-stream: the client went away, or a fault of ours.
    if (error) request.log.warn({ ...line, err: error }, 'request errored');
    else request.log[request.routeOptions.config?.requestLogLevel ?? 'info'](line, 'request');
  }
}
