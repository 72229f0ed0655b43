import pg from 'pg';
import type { Logger } from 'pino';
import { busConnectionLog, busReconnectDelayMs, publishLog } from './flow-event-bus-log.js';
import { localFanout } from './flow-event-fanout.js';
import { decodeFlowEvent, encodeFlowEvent, newBusOrigin } from './flow-event-message.js';
import type { FlowEvents } from './flow-events.js';

export const DEFAULT_POSTGRES_FLOW_CHANNEL = 'pocketproof_flow_events';

export interface PostgresFlowEventsOptions {
  /** The store's `postgres://…` URL: NOTIFY reaches every session of the same database. */
  url: string;
  logger: Logger;
  /** Every node of one deployment must use the same channel: lower-case letters, digits, `_`. */
  channel?: string;
  connectTimeoutMs?: number;
  /** How often the listening connection is queried; one unanswered for as long is dropped. */
  heartbeatMs?: number;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Flow events over PostgreSQL LISTEN/NOTIFY, for several nodes without Redis. LISTEN holds a
 * session, so it lives on a dedicated long-lived client rather than a pooled connection the pool
 * could hand to a request or close when idle; NOTIFY goes through a small pool of its own, so a
 * publish neither waits behind the store's requests nor depends on the listener being connected.
 */
export function postgresFlowEvents(options: PostgresFlowEventsOptions): FlowEvents {
  const channel = options.channel ?? DEFAULT_POSTGRES_FLOW_CHANNEL;
  if (!CHANNEL_NAME.test(channel)) throw new Error('flow-event channel: lower-case letters, digits and _ only');
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const origin = newBusOrigin();
  const fanout = localFanout();
  const connectionLog = busConnectionLog(options.logger, 'postgres');
  const publishes = publishLog(options.logger, 'postgres');
  const notifier = new pg.Pool({
    connectionString: options.url,
    connectionTimeoutMillis: connectTimeoutMs,
    // A publish the database cannot take promptly is dropped: the sockets' own re-reads remain.
    query_timeout: connectTimeoutMs,
    keepAlive: true,
    max: 2,
  });
  // An idle pooled connection the server drops is discarded by the pool; unheard, it would crash us.
  notifier.on('error', () => {});

  let closed = false;
  let listener: pg.Client | undefined;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => {};
  const readyOnce = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const onNotification = (notification: pg.Notification): void => {
    if (notification.channel !== channel || !notification.payload) return;
    const message = decodeFlowEvent(notification.payload);
    if (message && message.origin !== origin) fanout.deliver(message.flowId);
  };

  const scheduleReconnect = (): void => {
    if (closed || retryTimer) return;
    attempt += 1;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void listen();
    }, busReconnectDelayMs(attempt));
  };

  // A partition shows no error on a connection that only listens: without a query now and then it
  // would wait, deaf, for as long as TCP keeps retrying. One unanswered by the next drops the
  // connection, and the reconnect calls every subscriber.
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  let pingInFlight = false;
  const heartbeat = setInterval(() => {
    const client = listener;
    if (!client || pingInFlight) return;
    pingInFlight = true;
    client
      .query('SELECT 1')
      .catch(() => {
        if (listener !== client) return;
        connectionLog.lost(new Error('the flow-event listener stopped answering'));
        // end() would wait on a peer that no longer answers; dropping the socket ends the client now.
        client.connection.stream.destroy();
      })
      .finally(() => {
        pingInFlight = false;
      });
  }, heartbeatMs);
  heartbeat.unref();

  const listen = async (): Promise<void> => {
    const client = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: connectTimeoutMs,
      // Bounds the heartbeat's query (and LISTEN): one unanswered by the next heartbeat fails.
      query_timeout: heartbeatMs,
      keepAlive: true,
    });
    // A lost connection emits 'error' (unheard, it would crash the process) and then 'end'.
    client.on('error', (error) => connectionLog.lost(error));
    client.on('notification', onNotification);
    // Only the listening client's end calls for a reconnect; a failed attempt schedules its own.
    client.on('end', () => {
      if (listener !== client) return;
      listener = undefined;
      if (closed) return;
      connectionLog.lost();
      scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (error) {
      connectionLog.lost(error);
      scheduleReconnect();
      await client.end().catch(() => undefined);
      return;
    }
    if (closed) {
      await client.end().catch(() => undefined);
      return;
    }
    listener = client;
    attempt = 0;
    connectionLog.restored();
    markReady();
    fanout.deliverAll();
  };
  void listen();

  return {
    transport: 'postgres',
    publish(flowId) {
      fanout.deliver(flowId);
      if (closed) return;
      notifier
        .query('SELECT pg_notify($1, $2)', [channel, encodeFlowEvent({ origin, flowId })])
        .then(publishes.succeeded, publishes.failed);
    },
    subscribe: fanout.subscribe,
    ready: () => readyOnce,
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(heartbeat);
      const client = listener;
      listener = undefined;
      await Promise.all([client?.end().catch(() => undefined), notifier.end().catch(() => undefined)]);
    },
  };
}
