import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeviceKeyThread } from './device-key-thread.js';

// Runs the worker from `dist/` (worker-file.ts): build first, as `npm test` does.

function signedJob(message: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const signature = sign('sha256', Buffer.from(message), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
  return { spki, message, signature };
}

describe('the device-key thread', () => {
  it('a check in flight when the thread stops is refused, not left waiting, and the next check starts a new thread', async () => {
    const thread = new DeviceKeyThread();
    const job = signedJob('chlg');
    const inFlight = thread.check(job);
    // The check leaves for the thread a microtask later; stop the thread once it has left.
    await Promise.resolve();
    await thread.close();
    await expect(inFlight).rejects.toThrow('the device-key thread was closed');
    expect(await thread.check(job)).toEqual({ outcome: 'valid', spki: job.spki });
    await thread.close();
  });
});
