import type { Logger } from 'pino';
import smpp from 'smpp';
import { type BackoffPolicy, backoffDelayMs } from '../../../backoff.js';
import { boundedCache } from '../../../bounded-cache.js';
import type { Clock } from '../../../clock.js';
import type { Config } from '../../../config/load.js';
import { cryptoRandom } from '../../../crypto/random.js';
import { type ReceiptSink, type SmsProvider, SmsProviderError } from '../../provider.js';
import { destination, payload, readSmppReceipt, sourceAddress, submitError } from './pdus.js';
import { parseSmppUrl } from './smpp-url.js';

/**
 * SMPP 3.4 to an SMSC: one transceiver bind (submit_sm out, deliver_sm receipts in), kept up with
 * enquire_link and re-established with exponential backoff after any drop. Sends made while the
 * bind is down wait for it up to the provider timeout, then fail as retryable network errors.
 * Delivery receipts are answered only after they are recorded, so an SMSC re-delivers any we lose.
 */

const RECONNECT: BackoffPolicy = { firstMs: 500, maxMs: 30_000 };
const REMEMBERED_IDS = 10_000;

export function smppProvider(
  config: Config,
  deps: { clock: Clock; logger: Logger; onReceipt: ReceiptSink },
): SmsProvider {
  const target = parseSmppUrl(config.smppUrl as string) as NonNullable<ReturnType<typeof parseSmppUrl>>;
  const source = sourceAddress(config.smppSourceAddr as string);
  const log = deps.logger.child({ provider: 'smpp' });
  let session: smpp.Session | undefined;
  let bound = false;
  let stopped = false;
  let bindRefusal: SmsProviderError | undefined;
  let failedConnections = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;
  const boundWaiters = new Set<() => void>();
  // SMSC id → our message id, so a receipt that beats the outbox's own write still finds its row.
  const recent = boundedCache<string, string>(REMEMBERED_IDS);

  function connect(): void {
    if (stopped || session) return;
    const s = smpp.connect({ url: target.url, auto_enquire_link_period: 30_000 });
    session = s;
    // Over TLS the bind must wait for the handshake.
    s.on(target.url.startsWith('ssmpp:') ? 'secureConnect' : 'connect', () =>
      s.bind_transceiver({ system_id: target.systemId, password: target.password, interface_version: 0x34 }, (pdu) => {
        if (pdu.command_status === 0) {
          bound = true;
          bindRefusal = undefined;
          failedConnections = 0;
          log.info('smpp bound');
          for (const wake of boundWaiters) wake();
          return;
        }
        bindRefusal = submitError(pdu.command_status);
        log.error({ status: pdu.command_status }, 'smpp bind refused');
        s.close();
      }),
    );
    s.on('deliver_sm', (pdu: smpp.PDU) => onDeliver(s, pdu));
    s.on('enquire_link', (pdu: smpp.PDU) => s.send(pdu.response()));
    s.on('unbind', (pdu: smpp.PDU) => {
      s.send(pdu.response());
      s.close();
    });
    s.on('error', (error: NodeJS.ErrnoException) => log.warn({ errorCode: error.code }, 'smpp connection error'));
    s.on('close', () => {
      if (session !== s) return;
      session = undefined;
      bound = false;
      for (const wake of boundWaiters) wake();
      if (stopped) return;
      failedConnections += 1;
      const delay = backoffDelayMs(failedConnections, RECONNECT, cryptoRandom.fraction);
      log.warn({ reconnectInMs: delay }, 'smpp connection closed');
      reconnectTimer = setTimeout(() => {
        reconnectTimer = undefined;
        connect();
      }, delay);
      reconnectTimer.unref();
    });
  }

  async function boundSession(timeoutMs: number): Promise<smpp.Session> {
    if (!session && !reconnectTimer) connect();
    const deadline = Date.now() + timeoutMs;
    while (!(bound && session) && Date.now() < deadline && !stopped) {
      // The SMSC refused our credentials: say so now rather than at the deadline.
      if (bindRefusal && !session) throw bindRefusal;
      await new Promise<void>((resolve) => {
        const wake = () => {
          boundWaiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, deadline - Date.now()));
        boundWaiters.add(wake);
      });
    }
    if (bound && session) return session;
    throw bindRefusal ?? new SmsProviderError('network', `SMSC not bound within ${timeoutMs} ms`, true);
  }

  function onDeliver(s: smpp.Session, pdu: smpp.PDU): void {
    const receipt = readSmppReceipt(pdu, deps.clock.now());
    if (!receipt) {
      s.send(pdu.response());
      return;
    }
    const messageId = recent.get(receipt.providerMessageId);
    deps.onReceipt(messageId ? { ...receipt, messageId } : receipt).then(
      () => s.send(pdu.response()),
      (error: unknown) => {
        log.error({ err: error }, 'smpp receipt not recorded; asking the SMSC to resend it');
        s.send(pdu.response({ command_status: 0x64 })); // ESME_RX_T_APPN: temporary, try again
      },
    );
  }

  return {
    name: 'smpp',
    async start() {
      stopped = false;
      connect();
    },
    async send({ to, body, idempotencyKey }) {
      const timeoutMs = config.smsProviderTimeoutMs;
      const started = Date.now();
      const s = await boundSession(timeoutMs);
      const response = await new Promise<smpp.PDU>((resolve, reject) => {
        const settle = (outcome: smpp.PDU | SmsProviderError) => {
          clearTimeout(timer);
          s.off('close', closed);
          if (outcome instanceof SmsProviderError) reject(outcome);
          else resolve(outcome);
        };
        const timer = setTimeout(
          () => settle(new SmsProviderError('network', `no submit_sm_resp within ${timeoutMs} ms`, true)),
          Math.max(1, timeoutMs - (Date.now() - started)),
        );
        const closed = () => settle(new SmsProviderError('network', 'SMSC connection closed during submit', true));
        s.once('close', closed);
        const ok = s.submit_sm({ ...source, ...destination(to), registered_delivery: 1, ...payload(body) }, settle);
        if (!ok) settle(new SmsProviderError('network', 'SMSC connection not writable', true));
      });
      if (response.command_status !== 0) throw submitError(response.command_status);
      const id = String(response.message_id ?? '');
      if (!id) throw new SmsProviderError('unexpected', 'submit_sm_resp without a message_id', true);
      recent.set(id, idempotencyKey);
      return { providerMessageId: id };
    },
    async stop() {
      stopped = true;
      clearTimeout(reconnectTimer);
      const s = session;
      if (!s) return;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => s.destroy(), 2_000);
        s.once('close', () => {
          clearTimeout(force);
          resolve();
        });
        if (!bound || !s.unbind(() => s.close())) s.close();
      });
    },
  };
}
