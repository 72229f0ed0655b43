import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config/load.js';
import { useDeviceKeyThread } from './crypto/device-key.js';
import { keyedHash } from './crypto/keyed-hash.js';
import { cryptoRandom, type Random } from './crypto/random.js';
import { codeHmacSecret, resealStoredSecrets } from './crypto/sealed-secrets.js';
import { secretBox } from './crypto/secret-box.js';
import type { FlowDeps } from './flows/deps.js';
import type { FlowEvents } from './flows/flow-events.js';
import { openFlowEvents } from './flows/open-flow-events.js';
import { type AppOptions, createApp } from './http/app.js';
import type { Readiness } from './http/readiness.js';
import { createLogger } from './logger.js';
import { startMaintenance } from './maintenance.js';
import { noMetrics } from './metrics/metrics.js';
import { type MetricsServer, startMetricsServer } from './metrics/metrics-server.js';
import { prometheusMetrics } from './metrics/prometheus.js';
import { flowTokens } from './oauth/flow-token.js';
import { foreignIssuerWarning } from './oauth/foreign-issuer.js';
import { createKeyring } from './oauth/keyring.js';
import { ensureSandboxClient } from './sandbox/client.js';
import { createSandbox } from './sandbox/sandbox.js';
import { createDispatcher, type Dispatcher } from './sms/dispatcher.js';
import { inboxArrivals } from './sms/inbox-arrivals.js';
import type { SmsProvider } from './sms/provider.js';
import { createProviders } from './sms/providers/registry.js';
import { receiptRecorder } from './sms/receipts.js';
import { openStore } from './storage/open-store.js';
import type { Store } from './storage/ports.js';
import { setCompileStatementsOnce } from './storage/sql/compiled-statement.js';
import { retryWhileDatabaseUnavailable } from './storage/wait-for-database.js';

/**
 * The composition root: the only place that builds dependencies. Tests call `buildServer` with
 * their own clock, randomness, store or provider; the CLI calls it with the loaded config.
 */
export interface Server {
  app: FastifyInstance;
  deps: FlowDeps;
  store: Store;
  dispatcher: Dispatcher;
  logger: Logger;
  /** Starts the dispatcher and maintenance, then listens; resolves to the bound address. */
  listen(): Promise<string>;
  /** Where `/metrics` is served once listening; undefined when `METRICS_PORT` is unset. */
  metricsUrl: string | undefined;
  /** Stops accepting requests, lets in-flight ones finish, stops background work, closes the database. */
  close(): Promise<void>;
}

export interface BuildOptions {
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  store?: Store;
  /** Replaces the providers `SMS_PROVIDER` selects (in failover order). */
  providers?: SmsProvider[];
  /** Start the dispatcher loop (default true); tests may drive `dispatcher.runOnce()` themselves. */
  dispatch?: boolean;
  /** Replaces the flow-event bus `REDIS_URL` and `DATABASE_URL` select. */
  events?: FlowEvents;
  /** Sees every HTTP route as it is registered. */
  onRoute?: AppOptions['onRoute'];
}

export async function buildServer(config: Config, options: BuildOptions = {}): Promise<Server> {
  setCompileStatementsOnce(config.compiledStatements);
  useDeviceKeyThread(config.deviceKeyThread);
  const logger = options.logger ?? (await createLogger(config));
  const store =
    options.store ??
    openStore(config, {
      onBackgroundError: (error) =>
        logger.warn({ err: error }, 'database background task failed (recovers on its own)'),
    });
  try {
    return await assemble(config, options, logger, store);
  } catch (error) {
    // A server that cannot start (a missing SECRETS_KEY, say) must not keep the database open.
    if (!options.store) await store.close().catch(() => undefined);
    throw error;
  }
}

async function assemble(config: Config, options: BuildOptions, logger: Logger, store: Store): Promise<Server> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? cryptoRandom;
  const box = secretBox(config.secretsKey, config.secretsKeyPrevious);
  const onForeignIssuer = foreignIssuerWarning(logger, config.publicUrl);
  const { secret, keyring } = await retryWhileDatabaseUnavailable(
    async () => {
      await store.migrate();
      const sealed = await resealStoredSecrets(store, box);
      if (sealed > 0) logger.info({ sealed }, 'stored secrets sealed under SECRETS_KEY');
      return {
        secret: config.codeHmacSecret ?? (await codeHmacSecret(store, box, clock)),
        keyring: await createKeyring(store, clock, random, config.publicUrl, box, onForeignIssuer),
      };
    },
    { waitMs: config.databaseStartupWaitSeconds * 1000, logger, fraction: () => random.fraction() },
  );
  if (!box.sealing && config.nodeEnv === 'production') {
    logger.warn('SECRETS_KEY is not set: the signing keys and the code HMAC secret are stored in the clear');
  }
  const prometheus = config.metricsPort === undefined ? undefined : prometheusMetrics();
  const metrics = prometheus?.metrics ?? noMetrics;
  const smsLogger = logger.child({ component: 'sms' });
  const arrivals = inboxArrivals();
  const sandbox = config.sandbox === undefined ? undefined : createSandbox(config);
  const onReceipt = receiptRecorder(store.messages, smsLogger, metrics);
  const configuredProviders =
    options.providers ??
    createProviders(config, { clock, logger: smsLogger, inbox: store.inbox, inboxArrivals: arrivals, onReceipt });
  const providers = sandbox
    ? configuredProviders.map((provider) => sandbox.wrapProvider(provider, { onReceipt, clock }))
    : configuredProviders;
  if (providers.length === 0)
    logger.warn('no SMS provider configured (SMS_PROVIDER): mobile and desktop flows answer 9002');
  const dispatcher = createDispatcher({
    messages: store.messages,
    inTransaction: (fn) => store.transaction((tx) => fn(tx.messages)),
    providers,
    clock,
    logger: smsLogger,
    metrics,
    pollIntervalMs: config.outboxPollIntervalMs,
    maxAttempts: config.outboxMaxAttempts,
    retryMaxDelayMs: config.smsRetryMaxDelayMs,
    randomFraction: () => random.fraction(),
    circuit:
      config.smsCircuitFailures > 0
        ? { failureThreshold: config.smsCircuitFailures, coolDownMs: config.smsCircuitCooldownMs }
        : undefined,
    // A claim must outlast one call to every provider in the failover list, or a slow send could be
    // claimed (and sent) again by another pass.
    leaseMs: providers.length * config.smsProviderTimeoutMs + 5_000,
  });

  const deps: FlowDeps = {
    store,
    clock,
    random,
    config,
    hash: keyedHash(secret),
    keyring,
    flowTokens: flowTokens(secret, config.publicUrl, clock, onForeignIssuer),
    smsConfigured: providers.length > 0,
    smsDispatcher: dispatcher,
    events: options.events ?? (await openFlowEvents(config, logger)),
    inboxArrivals: arrivals,
    metrics,
    sandbox,
  };
  if (config.sandbox !== undefined) await ensureSandboxClient(store, clock, config);
  const readiness: Readiness = { draining: false };
  const app = await createApp(deps, logger, readiness, { onRoute: options.onRoute }).catch(async (error: unknown) => {
    // The bus holds connections of its own that would keep a failed process alive.
    await deps.events.close();
    throw error;
  });
  let maintenance: { stop(): void } | undefined;
  let listening = false;
  let metricsServer: MetricsServer | undefined;

  return {
    app,
    deps,
    store,
    dispatcher,
    logger,
    get metricsUrl() {
      return metricsServer && `${metricsServer.url}/metrics`;
    },
    async listen() {
      // An SMPP bind opens here; SNS checks its region (a missing one stops the boot).
      for (const provider of providers) await provider.start?.();
      if (options.dispatch !== false) dispatcher.start();
      maintenance = startMaintenance({ store, clock, config, keyring, logger });
      try {
        if (prometheus && config.metricsPort !== undefined) {
          metricsServer = await startMetricsServer(
            prometheus.registry,
            { host: config.metricsHost, port: config.metricsPort },
            logger,
          );
        }
        const address = await app.listen({ port: config.port, host: config.host });
        listening = true;
        return address;
      } catch (error) {
        // PORT taken, say: a metrics listener left open would keep the failed process alive.
        await metricsServer?.close();
        metricsServer = undefined;
        throw error;
      }
    },
    async close() {
      if (config.shutdownDrainSeconds > 0 && listening) {
        readiness.draining = true;
        await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainSeconds * 1000));
      }
      maintenance?.stop();
      // app.close() closes connections idle at that moment; a keep-alive connection busy then
      // becomes idle later and would hold the process for the keep-alive timeout. Reap those too.
      const closing = app.close();
      const reaper = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await closing;
      } finally {
        clearInterval(reaper);
      }
      await metricsServer?.close();
      await dispatcher.stop();
      await Promise.all(providers.map((provider) => provider.stop?.()));
      await deps.events.close();
      await store.close();
    },
  };
}
