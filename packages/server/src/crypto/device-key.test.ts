import { createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDeviceSignature, useDeviceKeyThread } from './device-key.js';

const pemOf = (der: Buffer) => `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----`;
const signed = (key: KeyObject, message: string) =>
  sign('sha256', Buffer.from(message), { key, dsaEncoding: 'der' }).toString('base64');

function browserKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, der, pem: pemOf(der) };
}

// Every check holds the same on the device-key thread (the default, run from `dist/`: build first)
// and on the event loop.
describe.each([
  { where: 'on the device-key thread', onThread: true },
  { where: 'on the event loop (DEVICE_KEY_THREAD=false)', onThread: false },
])('device public keys, checked $where', ({ onThread }) => {
  beforeAll(() => useDeviceKeyThread(onThread));
  afterAll(() => useDeviceKeyThread(true));

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
