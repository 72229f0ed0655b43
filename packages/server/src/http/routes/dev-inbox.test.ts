import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queuedMessage } from '../../sms/outbox-message.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';

const PHONE = '+12025550123';
const OTHER = '+12025550199';

describe('GET /dev/inbox/messages', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await createTestServer();
  });
  afterEach(() => t.close());

  const list = (query: string) => t.server.app.inject({ method: 'GET', url: `/dev/inbox/messages?${query}` });

  async function deliver(to: string, body: string): Promise<void> {
    const now = t.clock.now();
    await t.server.store.messages.enqueue(
      queuedMessage({ id: randomUUID(), flowId: null, to, body, now, expiresAt: now + 60_000 }),
    );
    await t.server.dispatcher.runOnce();
  }

  const settledWithin = async (promise: Promise<unknown>, ms: number) =>
    Promise.race([promise.then(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);

  it('wait= holds the request until a message to that number arrives, then answers it', async () => {
    const pending = list(`to=${encodeURIComponent(PHONE)}&wait=20`);
    expect(await settledWithin(pending, 300)).toBe(false);
    // A message to another number does not end the wait.
    await deliver(OTHER, 'not yours');
    expect(await settledWithin(pending, 300)).toBe(false);

    await deliver(PHONE, 'your code is 1234');
    expect(await settledWithin(pending, 1_000)).toBe(true);
    const messages = (await pending).json();
    expect(messages).toEqual([expect.objectContaining({ to: PHONE, body: 'your code is 1234' })]);
  });

  it('after= skips messages already seen; with wait= it waits for the next one', async () => {
    await deliver(PHONE, 'first');
    const [first] = (await list(`to=${encodeURIComponent(PHONE)}`)).json();
    expect((await list(`to=${encodeURIComponent(PHONE)}&after=${first.id}`)).json()).toEqual([]);

    const pending = list(`to=${encodeURIComponent(PHONE)}&after=${first.id}&wait=20`);
    expect(await settledWithin(pending, 300)).toBe(false);
    await deliver(PHONE, 'second');
    expect((await pending).json()).toEqual([expect.objectContaining({ body: 'second' })]);
  });

  it('a message stored while the inbox is being read still ends the wait at once (no missed wake-up)', async () => {
    const inbox = t.server.store.inbox;
    const read = inbox.listMessages.bind(inbox);
    const arrivals = t.server.deps.inboxArrivals;
    const watch = arrivals.watch.bind(arrivals);
    // The waits that ended because a message was announced, not because their time ran out.
    let wokenByArrival = 0;
    arrivals.watch = (to, ms) => {
      const watching = watch(to, ms);
      let announced = false;
      const announce = arrivals.announce;
      arrivals.announce = (recipient) => {
        announced = true;
        arrivals.announce = announce;
        announce(recipient);
      };
      void watching.arrived.then(() => {
        if (announced) wokenByArrival += 1;
      });
      return watching;
    };
    let raced = false;
    inbox.listMessages = async (...args) => {
      const result = await read(...args);
      if (!raced) {
        raced = true;
        // Stored and announced after this read found nothing, before the route starts waiting:
        // the route listened before it read, so the announcement wakes it (rather than its
        // periodic re-read, RECHECK_MS later).
        await deliver(PHONE, 'just in time');
      }
      return result;
    };
    const response = await list(`to=${encodeURIComponent(PHONE)}&wait=20`);
    expect(response.json()).toEqual([expect.objectContaining({ body: 'just in time' })]);
    expect(wokenByArrival).toBe(1);
  });

  it('a wait that sees no message ends with an empty list after the time asked for', async () => {
    const started = Date.now();
    const response = await list(`to=${encodeURIComponent(PHONE)}&wait=1`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('a message stored by another node (not announced here) is found by the periodic re-read', async () => {
    const pending = list(`to=${encodeURIComponent(PHONE)}&wait=20`);
    await t.server.store.inbox.insertMessage({ id: 'zz-other-node', to: PHONE, body: 'from afar', createdAt: 1 });
    expect(await settledWithin(pending, 1_000)).toBe(true);
    expect((await pending).json()).toEqual([expect.objectContaining({ body: 'from afar' })]);
  });

  it('wait beyond 30 seconds and an after= that is not a message id are 400', async () => {
    for (const query of ['wait=31', 'wait=-1', 'wait=1.5', 'after=..%2Fx', `after=${'a'.repeat(41)}`]) {
      const response = await list(query);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().code, query).toBe(8001);
    }
  });

  it('a number is read the same every time it is asked for: an invalid one is 400 each time, a valid one, written either way, finds its messages', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await list('to=%2B1202555');
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ code: 8001, message: 'to must be a valid phone number' });
    }
    await deliver(PHONE, 'hello');
    for (const to of [PHONE, PHONE, '2025550123', '2025550123']) {
      const response = await list(`to=${encodeURIComponent(to)}`);
      expect(response.json(), to).toEqual([expect.objectContaining({ to: PHONE, body: 'hello' })]);
    }
  });
});
