import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseDevicePublicKey, verifyDeviceSignature } from './device-key.js';

const pemOf = (der: Buffer) => `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----`;

function browserKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, der, pem: pemOf(der) };
}

describe('device public keys', () => {
  it('a browser-style P-256 SPKI PEM parses, stays canonical and verifies its signatures', async () => {
    const { privateKey, pem } = browserKey();
    const parsed = await parseDevicePublicKey(pem);
    expect(parsed?.pem).toBe(pem);
    const signature = sign('sha256', Buffer.from('chlg'), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
    expect(await verifyDeviceSignature(parsed?.key as never, 'chlg', signature)).toBe(true);
    expect(await verifyDeviceSignature(parsed?.key as never, 'other', signature)).toBe(false);
  });

  it('a PEM wrapped at 64 columns is stored as the one-line canonical form', async () => {
    const { der, pem } = browserKey();
    const wrapped = `-----BEGIN PUBLIC KEY-----\n${der
      .toString('base64')
      .match(/.{1,64}/g)
      ?.join('\n')}\n-----END PUBLIC KEY-----\n`;
    expect((await parseDevicePublicKey(wrapped))?.pem).toBe(pem);
  });

  it('a compressed P-256 point is accepted through the general decoder', async () => {
    const { privateKey, der } = browserKey();
    const x = der.subarray(27, 59);
    const yIsOdd = (der[90] as number) & 1;
    const compressed = Buffer.concat([
      Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'),
      Buffer.from([yIsOdd ? 3 : 2]),
      x,
    ]);
    const parsed = await parseDevicePublicKey(pemOf(compressed));
    expect(parsed).toBeDefined();
    const signature = sign('sha256', Buffer.from('m'), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
    expect(await verifyDeviceSignature(parsed?.key as never, 'm', signature)).toBe(true);
    // Whatever form was sent, the stored form parses again to the same key.
    const again = await parseDevicePublicKey(parsed?.pem as string);
    expect(again?.key.export({ format: 'jwk' })).toEqual(createPublicKey(pemOf(der)).export({ format: 'jwk' }));
  });

  it('a point that is not on the curve is refused, though its bytes have the P-256 shape', async () => {
    const { der } = browserKey();
    const forged = Buffer.from(der);
    forged[90] = (forged[90] as number) ^ 1;
    expect(await parseDevicePublicKey(pemOf(forged))).toBeUndefined();
  });

  it('a signature that is not base64 DER, or too long, is refused without reaching OpenSSL', async () => {
    const { pem } = browserKey();
    const key = (await parseDevicePublicKey(pem))?.key as never;
    expect(await verifyDeviceSignature(key, 'm', 'not base64!')).toBe(false);
    expect(await verifyDeviceSignature(key, 'm', 'A'.repeat(400))).toBe(false);
    expect(await verifyDeviceSignature(key, 'm', 'AAAA')).toBe(false);
  });

  it('other curves, RSA keys, private keys and garbage are refused', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'der' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });
    expect(await parseDevicePublicKey(pemOf(p384))).toBeUndefined();
    expect(await parseDevicePublicKey(pemOf(rsa).slice(0, 512))).toBeUndefined();
    expect(await parseDevicePublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toBeUndefined();
    expect(await parseDevicePublicKey('not a key')).toBeUndefined();
    const { pem } = browserKey();
    expect(await parseDevicePublicKey(pem.replace(/PUBLIC/g, 'PRIVATE'))).toBeUndefined();
    expect(await parseDevicePublicKey(`${pem}${'x'.repeat(600)}`)).toBeUndefined();
  });
});
