import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkDeviceSignature } from './device-key.js';

const pemOf = (der: Buffer) => `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----`;
const signed = (privateKey: KeyObject, message: string) =>
  sign('sha256', Buffer.from(message), { key: privateKey, dsaEncoding: 'der' }).toString('base64');

function browserKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, der, pem: pemOf(der) };
}

describe('device public keys and signatures', () => {
  it('a browser-style P-256 SPKI PEM is valid, stays canonical, and only its own signature verifies', async () => {
    const { privateKey, pem } = browserKey();
    const signature = signed(privateKey, 'chlg');
    expect(await checkDeviceSignature(pem, 'chlg', signature)).toEqual({ keyValid: true, pem, signatureValid: true });
    expect(await checkDeviceSignature(pem, 'other', signature)).toEqual({ keyValid: true, pem, signatureValid: false });
    const stranger = browserKey();
    expect((await checkDeviceSignature(stranger.pem, 'chlg', signature)).keyValid).toBe(true);
    expect(await checkDeviceSignature(stranger.pem, 'chlg', signature)).toMatchObject({ signatureValid: false });
  });

  it('a PEM wrapped at 64 columns is stored as the one-line canonical form', async () => {
    const { der, pem, privateKey } = browserKey();
    const wrapped = `-----BEGIN PUBLIC KEY-----\n${der
      .toString('base64')
      .match(/.{1,64}/g)
      ?.join('\n')}\n-----END PUBLIC KEY-----\n`;
    expect(await checkDeviceSignature(wrapped, 'm', signed(privateKey, 'm'))).toMatchObject({ pem });
  });

  it('a compressed P-256 point is accepted through the general decoder, and its stored form works again', async () => {
    const { privateKey, der } = browserKey();
    const x = der.subarray(27, 59);
    const yIsOdd = (der[90] as number) & 1;
    const compressed = Buffer.concat([
      Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'),
      Buffer.from([yIsOdd ? 3 : 2]),
      x,
    ]);
    const check = await checkDeviceSignature(pemOf(compressed), 'm', signed(privateKey, 'm'));
    expect(check).toMatchObject({ keyValid: true, signatureValid: true });
    // Whatever form was sent, the stored form (OpenSSL's export) is the same key.
    const stored = check.keyValid ? check.pem : '';
    expect(await checkDeviceSignature(stored, 'n', signed(privateKey, 'n'))).toEqual({
      keyValid: true,
      pem: stored,
      signatureValid: true,
    });
  });

  it('a point that is not on the curve is refused, though its bytes have the P-256 shape', async () => {
    const { der, privateKey } = browserKey();
    const forged = Buffer.from(der);
    forged[90] = (forged[90] as number) ^ 1;
    expect(await checkDeviceSignature(pemOf(forged), 'm', signed(privateKey, 'm'))).toEqual({ keyValid: false });
  });

  it('a signature that is not base64 DER, or too long, is not valid; the key is still judged', async () => {
    const { pem } = browserKey();
    for (const signature of ['not base64!', 'A'.repeat(400), 'AAAA', '']) {
      expect(await checkDeviceSignature(pem, 'm', signature)).toEqual({ keyValid: true, pem, signatureValid: false });
    }
  });

  it('other curves, RSA keys, private keys and garbage are refused', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'der' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });
    const { pem } = browserKey();
    for (const key of [
      pemOf(p384),
      pemOf(rsa).slice(0, 512),
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
      'not a key',
      pem.replace(/PUBLIC/g, 'PRIVATE'),
      `${pem}${'x'.repeat(600)}`,
    ]) {
      expect(await checkDeviceSignature(key, 'm', 'AAAA')).toEqual({ keyValid: false });
    }
  });

  it('many checks at once each get their own verdict', async () => {
    const keys = Array.from({ length: 8 }, () => browserKey());
    const checks = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const key = keys[i % keys.length] as ReturnType<typeof browserKey>;
        const message = `m${i}`;
        // Every third one is signed over another message.
        return checkDeviceSignature(key.pem, message, signed(key.privateKey, i % 3 === 0 ? 'x' : message));
      }),
    );
    expect(checks.map((c) => c.keyValid && c.signatureValid)).toEqual(
      Array.from({ length: 200 }, (_, i) => i % 3 !== 0),
    );
  });
});
