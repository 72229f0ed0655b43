import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { busConnectionLog, busReconnectDelayMs, publishLog } from './flow-event-bus-log.js';
import { localFanout } from './flow-event-fanout.js';
import { decodeFlowEvent, encodeFlowEvent, newBusOrigin } from './flow-event-message.js';
import type { FlowEvents } from './flow-events.js';

export const DEFAULT_REDIS_FLOW_CHANNEL = 'pocketproof:flow-events';

export interface RedisFlowEventsOptions {
  /** `redis://…` or `rediss://…`. */
  url: string;
  logger: Logger;
  /** Every node of one deployment must use the same channel. */
  channel?: string;
  /** How long closing waits for queued publishes before dropping the connection. */
  closeTimeoutMs?: number;
  /** How often the subscribing connection is pinged; one unanswered for as long is dropped. */
  heartbeatMs?: number;
}

/**
 * Flow events over Redis pub/sub: one channel for the whole deployment, one subscribing
 * connection per node (a connection in subscriber mode can do nothing else, so publishing has its
 * own). ioredis reconnects by itself; this bus subscribes again on every `ready` rather than
 * through ioredis's auto-resubscribe, to know the moment the subscription is back and call every
 * local subscriber then.
 */
export function redisFlowEvents(options: RedisFlowEventsOptions): FlowEvents {
  const channel = options.channel ?? DEFAULT_REDIS_FLOW_CHANNEL;
  const origin = newBusOrigin();
  const fanout = localFanout();
  const connectionLog = busConnectionLog(options.logger, 'redis');
  const publishes = publishLog(options.logger, 'redis');
  const connection = { retryStrategy: busReconnectDelayMs, connectionName: 'pocketproof-flow-events' };
  // A publish queued while Redis is away is sent on reconnect; after a few failed reconnects, or a
  // Redis that stops answering (a partition), it is dropped, so an outage cannot grow the queue
  // without bound.
  const publisher = new Redis(options.url, { ...connection, maxRetriesPerRequest: 3, commandTimeout: 2_000 });
  const subscriber = new Redis(options.url, { ...connection, autoResubscribe: false, maxRetriesPerRequest: null });

  let closed = false;
  let markReady: () => void = () => {};
  const readyOnce = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  // Without an 'error' listener ioredis logs every failed attempt to the console.
  publisher.on('error', (error: Error) => options.logger.debug({ err: error }, 'flow-event publisher error'));
  subscriber.on('error', (error: Error) => connectionLog.lost(error));
  subscriber.on('close', () => {
    if (!closed) connectionLog.lost();
  });
  subscriber.on('ready', () => {
    subscriber
      .subscribe(channel)
      .then(() => {
        connectionLog.restored();
        markReady();
        fanout.deliverAll();
      })
      .catch((error: unknown) => {
        connectionLog.lost(error);
        // A connection that cannot subscribe is no use: drop it and let ioredis reconnect.
        if (!closed) subscriber.disconnect(true);
      });
  });
  // A partition shows no error on a connection that only listens: without a ping it would wait,
  // deaf, for as long as TCP keeps retrying. A ping unanswered by the next one drops the connection,
  // and the reconnect calls every subscriber.
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  let pingInFlight = false;
  const heartbeat = setInterval(() => {
    if (pingInFlight || subscriber.status !== 'ready') return;
    pingInFlight = true;
    withinMs(subscriber.ping(), heartbeatMs)
      .then((answered) => {
        if (!answered && !closed) {
          connectionLog.lost(new Error('the flow-event subscription stopped answering pings'));
          subscriber.disconnect(true);
        }
      })
      .finally(() => {
        pingInFlight = false;
      });
  }, heartbeatMs);
  heartbeat.unref();

  subscriber.on('message', (from: string, text: string) => {
    if (from !== channel) return;
    const message = decodeFlowEvent(text);
    if (message && message.origin !== origin) fanout.deliver(message.flowId);
  });

  return {
    transport: 'redis',
    publish(flowId) {
      fanout.deliver(flowId);
      if (closed) return;
      publisher.publish(channel, encodeFlowEvent({ origin, flowId })).then(publishes.succeeded, publishes.failed);
    },
    subscribe: fanout.subscribe,
    ready: () => readyOnce,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      subscriber.disconnect();
      await quitWithin(publisher, options.closeTimeoutMs ?? 1_000);
    },
  };
}

/** QUIT lets queued publishes go out first; a Redis that does not answer is simply dropped. */
async function quitWithin(client: Redis, timeoutMs: number): Promise<void> {
  await withinMs(client.quit(), timeoutMs);
  client.disconnect();
}

/** Whether `promise` settled without error within `timeoutMs`. */
async function withinMs(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
