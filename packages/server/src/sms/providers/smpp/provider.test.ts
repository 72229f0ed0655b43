import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { manualClock } from '../../../clock.js';
import type { DeliveryReceipt } from '../../../storage/records.js';
import { outboxHarness, providerConfig, silentLogger, T0 } from '../../../test-support/outbox-harness.js';
import { type ReceiptSink, type SmsProvider, SmsProviderError } from '../../provider.js';
import { receiptRecorder } from '../../receipts.js';
import { smppProvider } from './provider.js';

const MESSAGE = { to: '+12025550143', body: '123456 is your code', idempotencyKey: 'msg-1' };

/**
 * A real SMSC, from the smpp package's server mode: checks the bind's credentials, records every
 * submit_sm, answers each with the next scripted command_status (0 = accepted), and sends delivery
 * receipts on demand.
 */
async function startSmsc(port = 0) {
  const submits: smpp.PDU[] = [];
  const statuses: number[] = [];
  const sessions: smpp.Session[] = [];
  let binds = 0;
  const server = smpp.createServer((session) => {
    sessions.push(session);
    session.on('error', () => undefined);
    session.on('bind_transceiver', (pdu: smpp.PDU) => {
      if (pdu.system_id !== 'pocket' || pdu.password !== 'secret1') {
        session.send(pdu.response({ command_status: 0x0e }));
        session.close();
        return;
      }
      binds++;
      session.send(pdu.response({ system_id: 'test-smsc' }));
    });
    session.on('submit_sm', (pdu: smpp.PDU) => {
      submits.push(pdu);
      const status = statuses.shift() ?? 0;
      session.send(pdu.response({ command_status: status, message_id: status === 0 ? `smsc-${submits.length}` : '' }));
    });
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      session.close();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    submits,
    binds: () => binds,
    answer: (...next: number[]) => statuses.push(...next),
    /** Sends a deliver_sm on the newest session and resolves to our deliver_sm_resp. */
    deliver(fields: Record<string, unknown>): Promise<smpp.PDU> {
      const session = sessions.at(-1) as smpp.Session;
      return new Promise((resolve) => session.deliver_sm({ source_addr: '12025550143', ...fields }, resolve));
    },
    dropConnections: () => {
      for (const session of sessions) session.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

type Smsc = Awaited<ReturnType<typeof startSmsc>>;

describe('smpp provider against a real SMPP server', () => {
  let smsc: Smsc | undefined;
  let provider: SmsProvider | undefined;
  const receipts: DeliveryReceipt[] = [];
  const collect: ReceiptSink = async (receipt) => {
    receipts.push(receipt);
  };

  afterEach(async () => {
    await provider?.stop?.();
    await smsc?.close();
    provider = undefined;
    smsc = undefined;
    receipts.length = 0;
  });

  function connect(port: number, env: Record<string, string> = {}, onReceipt: ReceiptSink = collect): SmsProvider {
    provider = smppProvider(
      providerConfig({
        SMS_PROVIDER: 'smpp',
        SMPP_URL: `smpp://pocket:secret1@127.0.0.1:${port}`,
        SMPP_SOURCE_ADDR: 'Pocketproof',
        SMS_PROVIDER_TIMEOUT_MS: '3000',
        ...env,
      }),
      { clock: manualClock(T0), logger: silentLogger, onReceipt },
    );
    return provider;
  }

  it('binds as a transceiver and submits with sender, international destination and a receipt request', async () => {
    smsc = await startSmsc();
    const sms = connect(smsc.port);
    await sms.start?.();

    expect(await sms.send(MESSAGE)).toEqual({ providerMessageId: 'smsc-1' });

    expect(smsc.binds()).toBe(1);
    const [submit] = smsc.submits;
    expect(submit).toMatchObject({
      source_addr: 'Pocketproof',
      source_addr_ton: 5,
      source_addr_npi: 0,
      destination_addr: '12025550143',
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      registered_delivery: 1,
      data_coding: 0,
    });
    expect(submit?.short_message.message).toBe('123456 is your code');
  });

  it('a numeric sender goes as an international number; text outside GSM goes as UCS-2; a long text as message_payload', async () => {
    smsc = await startSmsc();
    const sms = connect(smsc.port, { SMPP_SOURCE_ADDR: '+12025550100' });
    await sms.send({ ...MESSAGE, body: 'Код 123456 ✓' });
    const long = `Tap ${'x'.repeat(200)}`;
    await sms.send({ ...MESSAGE, body: long });

    const [unicode, payload] = smsc.submits;
    expect(unicode).toMatchObject({
      source_addr: '12025550100',
      source_addr_ton: 1,
      source_addr_npi: 1,
      data_coding: 8,
    });
    expect(unicode?.short_message.message).toBe('Код 123456 ✓');
    expect(payload?.message_payload.message).toBe(long);
  });

  it('a delivery receipt (deliver_sm, receipt text) reaches the outbox by our message id, then is acknowledged', async () => {
    smsc = await startSmsc();
    const sms = connect(smsc.port, {}, (r) => recorder(r));
    const harness = await outboxHarness([sms]);
    const recorder = receiptRecorder(harness.store.messages, silentLogger);
    try {
      const message = await harness.enqueue();
      expect(await harness.settle(message.id)).toMatchObject({
        status: 'sent',
        provider: 'smpp',
        providerMessageId: 'smsc-1',
      });

      const ack = await smsc.deliver({
        esm_class: 0x04,
        short_message:
          'id:smsc-1 sub:001 dlvrd:001 submit date:2601011200 done date:2601011201 stat:DELIVRD err:000 text:123456 is your',
      });

      expect(ack.command_status).toBe(0);
      expect(await harness.message(message.id)).toMatchObject({ deliveryStatus: 'delivered', deliveryError: null });
    } finally {
      await harness.cleanup();
    }
  });

  it('receipts from TLVs (receipted_message_id, message_state) and failed states keep the error code', async () => {
    smsc = await startSmsc();
    const sms = connect(smsc.port);
    await sms.send(MESSAGE);
    await sms.send({ ...MESSAGE, idempotencyKey: 'msg-2' });

    await smsc.deliver({ esm_class: 0x04, receipted_message_id: 'smsc-1', message_state: 5, short_message: '' });
    await smsc.deliver({ esm_class: 0x04, short_message: 'id:smsc-2 sub:001 dlvrd:000 stat:REJECTD err:0B1' });
    // An ordinary incoming SMS (not a receipt) is acknowledged and ignored.
    const mo = await smsc.deliver({ esm_class: 0, short_message: 'STOP' });

    expect(mo.command_status).toBe(0);
    expect(receipts).toEqual([
      { provider: 'smpp', providerMessageId: 'smsc-1', messageId: 'msg-1', status: 'undelivered', error: null, at: T0 },
      { provider: 'smpp', providerMessageId: 'smsc-2', messageId: 'msg-2', status: 'failed', error: '0B1', at: T0 },
    ]);
  });

  it('a receipt we fail to record is refused with a temporary error, so the SMSC sends it again', async () => {
    smsc = await startSmsc();
    const sms = connect(smsc.port, {}, async () => {
      throw new Error('database unavailable');
    });
    await sms.send(MESSAGE);
    const ack = await smsc.deliver({ esm_class: 0x04, short_message: 'id:smsc-1 stat:DELIVRD err:000' });
    expect(ack.command_status).toBe(0x64);
  });

  it.each([
    [0x58, 'rate_limited', true],
    [0x14, 'rate_limited', true],
    [0x0b, 'rejected', false],
    [0x0a, 'invalid_config', false],
    [0x08, 'unexpected', true],
  ] as const)('submit_sm_resp status %i is %s (retryable: %s)', async (status, kind, retryable) => {
    smsc = await startSmsc();
    smsc.answer(status);
    const error = await connect(smsc.port)
      .send(MESSAGE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsProviderError);
    expect(error).toMatchObject({ kind, retryable, providerCode: `0x${status.toString(16).padStart(8, '0')}` });
  });

  it('wrong credentials: the bind is refused and sends fail at once as invalid_config (failover material)', async () => {
    smsc = await startSmsc();
    const started = Date.now();
    const error = await connect(smsc.port, { SMPP_URL: `smpp://pocket:wrong@127.0.0.1:${smsc.port}` })
      .send(MESSAGE)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'invalid_config', retryable: false });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reconnects and binds again after the SMSC drops the connection', async () => {
    smsc = await startSmsc();
    const sms = connect(smsc.port);
    await sms.send(MESSAGE);
    const server = smsc;

    server.dropConnections();
    await vi.waitFor(() => expect(server.binds()).toBe(2), { timeout: 5_000 });

    expect(await sms.send({ ...MESSAGE, idempotencyKey: 'msg-2' })).toEqual({ providerMessageId: 'smsc-2' });
  });

  it('while the SMSC is down sends fail as retryable network errors; once it is up they go through', async () => {
    const probe = await startSmsc();
    const port = probe.port;
    await probe.close();
    const sms = connect(port, { SMS_PROVIDER_TIMEOUT_MS: '700' });
    await sms.start?.();

    await expect(sms.send(MESSAGE)).rejects.toMatchObject({ kind: 'network', retryable: true });

    smsc = await startSmsc(port);
    const server = smsc;
    await vi.waitFor(() => expect(server.binds()).toBe(1), { timeout: 10_000 });
    expect(await sms.send(MESSAGE)).toEqual({ providerMessageId: 'smsc-1' });
  });
});
