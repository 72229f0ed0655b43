import type { SwaggerTransform } from '@fastify/swagger';
import { Type } from 'typebox';
import type { WebSocket } from 'ws';
import { AppError } from '../../errors/app-error.js';
import type { FlowDeps } from '../../flows/deps.js';
import { finalFrame } from '../../flows/status-frame.js';
import type { FlowRecord } from '../../storage/records.js';
import { authenticateFlow, type FlowAuthDeps } from '../auth.js';
import { statusFrameSchema } from '../schemas/device-protocol.js';
import { errorResponses } from '../schemas/errors.js';
import type { TypedApp } from '../typed-app.js';

/** What the socket reads: the authToken's flow, the flow's changes, and the time. */
export type StatusSocketDeps = FlowAuthDeps & Pick<FlowDeps, 'events' | 'clock'>;

declare module 'fastify' {
  interface FastifyRequest {
    flow?: FlowRecord;
  }
}

/** @fastify/websocket hides its routes from the OpenAPI document; this one is part of the protocol. */
const showInReference: SwaggerTransform = ({ schema, url }) => ({ schema: { ...schema, hide: false }, url });

/** Longest single timer; a later expiry is re-checked when this fires. */
const MAX_TIMER_MS = 60_000;

/**
 * `GET /v1/client/status?token=<authToken>`: the desktop waits here for the phone's tap
 * (wire-protocol §4.7). Text `ping` → `pong`; exactly one final JSON frame per socket, then the
 * server closes. Any number of sockets per flow (reloads, tabs); one opened after the tap gets the
 * result at once. Each socket subscribes before it first reads the flow, so a tap landing between
 * the two is never missed.
 */
export function statusSocketRoute(app: TypedApp, deps: StatusSocketDeps): void {
  app.get(
    '/v1/client/status',
    {
      websocket: true,
      config: { swaggerTransform: showInReference },
      schema: {
        operationId: 'statusSocket',
        tags: ['Device protocol'],
        summary: 'Wait for the phone (WebSocket)',
        description: [
          'A WebSocket: the desktop waits here while the phone taps the Instant Link. Send the text frame `ping` and',
          'the server answers `pong`. Exactly one final JSON frame arrives (the envelope below, `{"next":"done"}`',
          'or with `error`), then the server closes the socket with 1000. A socket opened after the tap gets the',
          'result at once.',
        ].join(' '),
        // Browsers cannot set headers on a WebSocket, so the authToken comes in the query.
        querystring: Type.Object({ token: Type.Optional(Type.String({ description: "The flow's authToken." })) }),
        response: {
          101: {
            description: 'Switching Protocols: the socket is open; its one final frame is `StatusFrame`.',
            content: { 'application/json': { schema: statusFrameSchema } },
          },
          ...errorResponses(400, 401, 500, 503),
        },
      },
      // Refuse before the upgrade: a browser sees a failed handshake, never an open socket.
      preValidation: async (request) => {
        const token = request.query.token;
        request.headers.authorization = token ? `Bearer ${token}` : undefined;
        request.flow = await authenticateFlow(deps, request);
        // A plain GET would get the websocket plugin's empty 404: say what this endpoint is instead.
        if (!request.ws) throw new AppError('INVALID_FIELD', 'GET /v1/client/status must be a WebSocket upgrade');
      },
    },
    function waitForVerdict(socket: WebSocket, request) {
      const flowId = (request.flow as FlowRecord).id;
      let finished = false;
      let timer: NodeJS.Timeout | undefined;

      const finish = (frame: object) => {
        if (finished) return;
        finished = true;
        cleanup();
        socket.send(JSON.stringify(frame), () => socket.close(1000));
      };
      const check = async () => {
        if (finished) return;
        const frame = finalFrame(await deps.store.flows.findFlow(flowId), deps.clock.now());
        if (frame) finish(frame);
        else schedule();
      };
      const recheck = () => {
        check().catch((error: unknown) => request.log.warn({ err: error }, 'status socket check failed'));
      };
      // Wakes the socket at the flow's expiry to send the "expired" frame.
      const schedule = () => {
        clearTimeout(timer);
        const flow = request.flow as FlowRecord;
        timer = setTimeout(recheck, Math.min(MAX_TIMER_MS, Math.max(1000, flow.expiresAt - deps.clock.now())));
        timer.unref();
      };
      const unsubscribe = deps.events.subscribe(flowId, recheck);
      const cleanup = () => {
        unsubscribe();
        clearTimeout(timer);
      };

      socket.on('message', (data, isBinary) => {
        if (isBinary || data.toString() !== 'ping') return;
        socket.send('pong');
        // The SDK pings every 30 s: a cheap moment to notice expiry on a clock the timer can't see.
        recheck();
      });
      socket.on('close', cleanup);
      socket.on('error', cleanup);
      recheck();
    },
  );
}
