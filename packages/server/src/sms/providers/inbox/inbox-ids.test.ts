import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../../clock.js';
import { makeSqliteTestStore, type TestStore } from '../../../test-support/stores.js';
import { inboxProvider } from './provider.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the dev phone inbox provider', () => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await makeSqliteTestStore();
  });
  afterEach(async () => {
    await testStore.cleanup();
  });

  it('gives each message a UUID v7, and lists many sent in one millisecond newest first, exactly', async () => {
    // The clock stands still: every message is stored at the same instant.
    const inbox = inboxProvider(testStore.store.inbox, manualClock());
    const sent: string[] = [];
    for (let i = 0; i < 200; i++) {
      const { providerMessageId } = await inbox.send({
        to: '+12025550143',
        body: `message ${i}`,
        idempotencyKey: `k${i}`,
      });
      sent.push(providerMessageId);
    }
    for (const id of sent) expect(id).toMatch(UUID_V7);
    const listed = await testStore.store.inbox.listMessages('+12025550143', 500);
    expect(listed.map((m) => m.id)).toEqual([...sent].reverse());
    expect(listed[0]?.body).toBe('message 199');
    // The long poll's cursor: only what came after a given message.
    const after = await testStore.store.inbox.listMessages('+12025550143', 500, sent[197]);
    expect(after.map((m) => m.body)).toEqual(['message 199', 'message 198']);
  });
});
