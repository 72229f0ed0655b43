import { verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyPem, rawSignatureToDer, signMessage } from './device-key.js';

describe('device key encodings the server expects', () => {
  it('turns WebCrypto r‖s signatures into DER that node:crypto verifies', async () => {
    for (let i = 0; i < 50; i++) {
      const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
        'sign',
        'verify',
      ])) as CryptoKeyPair;
      const signature = await signMessage(keys, `device:${i}`);
      const spki = Buffer.from(await crypto.subtle.exportKey('spki', keys.publicKey));
      const ok = verify(
        'sha256',
        Buffer.from(`device:${i}`),
        { key: spki, format: 'der', type: 'spki', dsaEncoding: 'der' },
        Buffer.from(signature, 'base64'),
      );
      expect(ok).toBe(true);
    }
  });

  it('encodes integers minimally, with a zero byte before a set high bit', () => {
    const raw = new Uint8Array(64);
    raw[0] = 0x80; // r: high bit set → 33 bytes
    raw[63] = 0x01; // s: leading zeros trimmed → 1 byte
    const der = rawSignatureToDer(raw);
    expect(Array.from(der.subarray(0, 4))).toEqual([0x30, 2 + 33 + 2 + 1, 0x02, 33]);
    expect(der[4]).toBe(0);
    expect(Array.from(der.subarray(-3))).toEqual([0x02, 1, 0x01]);
  });

  it('exports the public key as a one-line SPKI PEM', async () => {
    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const pem = await publicKeyPem(keys);
    const lines = pem.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('-----BEGIN PUBLIC KEY-----');
    expect(lines[1]).toMatch(/^[A-Za-z0-9+/]{122}==$/);
    expect(lines[2]).toBe('-----END PUBLIC KEY-----');
  });
});
