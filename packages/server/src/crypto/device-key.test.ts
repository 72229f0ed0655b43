import { createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkDeviceSignature } from './device-key.js';
import { type DeviceKeyResult, DeviceKeyThread } from './device-key-thread.js';

const pemOf = (der: Buffer) => `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----`;
const signed = (key: KeyObject, message: string) =>
  sign('sha256', Buffer.from(message), { key, dsaEncoding: 'der' }).toString('base64');

function browserKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, der, pem: pemOf(der) };
}

describe('device public keys', () => {
  it('a browser-style P-256 SPKI PEM verifies its signatures and stays canonical', async () => {
    const { privateKey, pem } = browserKey();
    const signature = signed(privateKey, 'chlg');
    expect(await checkDeviceSignature(pem, 'chlg', signature)).toEqual({ outcome: 'valid', pem });
    expect(await checkDeviceSignature(pem, 'other', signature)).toEqual({ outcome: 'bad-signature' });
  });

  it('a PEM wrapped at 64 columns is stored as the one-line canonical form', async () => {
    const { privateKey, der, pem } = browserKey();
    const wrapped = `-----BEGIN PUBLIC KEY-----\n${der
      .toString('base64')
      .match(/.{1,64}/g)
      ?.join('\n')}\n-----END PUBLIC KEY-----\n`;
    expect(await checkDeviceSignature(wrapped, 'm', signed(privateKey, 'm'))).toEqual({ outcome: 'valid', pem });
  });

  it('a compressed P-256 point is accepted through the general decoder and stored uncompressed', async () => {
    const { privateKey, der, pem } = browserKey();
    const x = der.subarray(27, 59);
    const yIsOdd = (der[90] as number) & 1;
    const compressed = Buffer.concat([
      Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'),
      Buffer.from([yIsOdd ? 3 : 2]),
      x,
    ]);
    const checked = await checkDeviceSignature(pemOf(compressed), 'm', signed(privateKey, 'm'));
    expect(checked.outcome).toBe('valid');
    // Whatever form was sent, the stored form is the same key.
    const stored = checked.outcome === 'valid' ? checked.pem : '';
    expect(createPublicKey(stored).export({ format: 'jwk' })).toEqual(createPublicKey(pem).export({ format: 'jwk' }));
  });

  it('a point that is not on the curve is refused, though its bytes have the P-256 shape', async () => {
    const { privateKey, der } = browserKey();
    const forged = Buffer.from(der);
    forged[90] = (forged[90] as number) ^ 1;
    expect(await checkDeviceSignature(pemOf(forged), 'm', signed(privateKey, 'm'))).toEqual({ outcome: 'bad-key' });
  });

  it('a signature that is not base64 DER, or too long, is refused', async () => {
    const { pem } = browserKey();
    for (const signature of ['not base64!', 'A'.repeat(400), 'AAAA', '']) {
      expect(await checkDeviceSignature(pem, 'm', signature)).toEqual({ outcome: 'bad-signature' });
    }
  });

  it('other curves, RSA keys, private keys and garbage are refused as keys', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const p384Pem = pemOf(p384.publicKey.export({ type: 'spki', format: 'der' }));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });
    const { privateKey, pem } = browserKey();
    const signature = signed(privateKey, 'm');
    const refused = [
      p384Pem,
      pemOf(rsa).slice(0, 512),
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
      'not a key',
      pem.replace(/PUBLIC/g, 'PRIVATE'),
      `${pem}${'x'.repeat(600)}`,
    ];
    for (const key of refused) expect(await checkDeviceSignature(key, 'm', signature)).toEqual({ outcome: 'bad-key' });
    // A P-384 key with its own valid signature is still not a device key.
    expect(await checkDeviceSignature(p384Pem, 'm', signed(p384.privateKey, 'm'))).toEqual({ outcome: 'bad-key' });
  });

  it('checks sent together each get their own answer', async () => {
    const keys = Array.from({ length: 4 }, browserKey);
    const cases = Array.from({ length: 40 }, (_, i) => {
      const key = keys[i % keys.length] as ReturnType<typeof browserKey>;
      const good = i % 3 !== 0;
      return { pem: key.pem, signature: signed(key.privateKey, good ? `m${i}` : 'other'), message: `m${i}`, good };
    });
    const results = await Promise.all(cases.map((c) => checkDeviceSignature(c.pem, c.message, c.signature)));
    expect(results.map((r) => r.outcome)).toEqual(cases.map((c) => (c.good ? 'valid' : 'bad-signature')));
  });
});

describe('the device-key thread', () => {
  const job = () => {
    const { privateKey, der } = browserKey();
    return { spki: der.toString('base64'), message: 'm', signature: signed(privateKey, 'm') };
  };

  it('refuses the checks in progress when it stops, and starts again on the next check', async () => {
    const thread = new DeviceKeyThread();
    expect((await thread.check(job())).outcome).toBe('valid');
    const inProgress = thread.check(job());
    await thread.close();
    await expect(inProgress).rejects.toThrow(/closed/);
    expect((await thread.check(job())).outcome).toBe('valid');
    await thread.close();
  });

  it('an answer that has arrived can be taken at once, before the event loop polls for it', async () => {
    const thread = new DeviceKeyThread();
    try {
      const sent = job();
      let answer: DeviceKeyResult | undefined;
      const checked = thread.check(sent).then((result) => {
        answer = result;
      });
      await Promise.resolve(); // the check leaves for the thread a microtask after it is asked for
      let polled = false;
      setImmediate(() => {
        polled = true;
      });
      // The event loop stays blocked here until the answer has arrived, as on a busy server.
      let taken = 0;
      const deadline = Date.now() + 10_000;
      while (taken === 0 && Date.now() < deadline) taken = thread.takeAnswers();
      await Promise.resolve();
      expect(taken).toBe(1);
      expect(answer).toEqual({ outcome: 'valid', spki: sent.spki });
      expect(polled).toBe(false);
      await checked;
      // Taken once: the port's own listener does not deliver it again.
      expect(thread.takeAnswers()).toBe(0);
    } finally {
      await thread.close();
    }
  });

  it('the event loop does the checks the thread has not started a pass after they were sent', async () => {
    const thread = new DeviceKeyThread();
    try {
      expect((await thread.check(job())).outcome).toBe('valid'); // the thread is up
      // Every third signature is wrong: each answer must still reach its own caller.
      const sent = Array.from({ length: 300 }, (_, i) => {
        const sent = job();
        return i % 3 === 0 ? { ...sent, message: 'other' } : sent;
      });
      const answers = sent.map((one) => thread.check(one));
      await Promise.resolve(); // they leave for the thread
      thread.takeAnswers(); // the pass they were sent in: too early to take any over
      expect(thread.checksDoneOnEventLoop).toBe(0);
      thread.takeAnswers(); // the next pass: those the thread has not reached are done here
      expect(thread.checksDoneOnEventLoop).toBeGreaterThan(0);
      const outcomes = await Promise.all(answers);
      expect(outcomes.map((answer) => answer.outcome)).toEqual(
        sent.map((_, i) => (i % 3 === 0 ? 'bad-signature' : 'valid')),
      );
      // And the thread, which skips what was taken over, still answers the next check.
      expect((await thread.check(job())).outcome).toBe('valid');
    } finally {
      await thread.close();
    }
  });
});
