import { createHash, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';

/**
 * What a browser's SDK does with its device key, in Node: a P-256 key pair, the public key as a
 * one-line SPKI PEM, and standard-base64 DER signatures (wire-protocol §4.2-§4.4, §4.10).
 */
export class BrowserDevice {
  readonly keyId = randomUUID();
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
  deviceId: string | undefined;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const der = publicKey.export({ type: 'spki', format: 'der' });
    this.publicKeyPem = `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----`;
  }

  sign(message: string): string {
    return sign('sha256', Buffer.from(message, 'utf8'), { key: this.privateKey, dsaEncoding: 'der' }).toString(
      'base64',
    );
  }

  registerBody(challenge: string) {
    return {
      deviceName: 'Chrome 156 on Linux',
      deviceCapabilities: ['webauthn'],
      registrations: [
        {
          publicKey: { id: this.keyId, alg: 'ES256', key: this.publicKeyPem, uvLevel: 0 },
          signature: this.sign(challenge),
        },
      ],
      signals: {},
    };
  }

  verifyBody(challenge: string) {
    if (!this.deviceId) throw new Error('register first');
    return {
      deviceId: this.deviceId,
      keyId: this.keyId,
      signature: this.sign(`${this.deviceId}:${challenge}`),
      signals: {},
    };
  }

  /** PA-* headers for a signed request over `rawBody`. */
  signatureHeaders(path: string, challenge: string, rawBody: string): Record<string, string> {
    const bodyHash = createHash('sha256').update(rawBody).digest('hex');
    const input = ['POST', path, '', 'application/json', challenge, bodyHash].join('\n');
    return { 'pa-sig-version': '3', 'pa-challenge': challenge, 'pa-kid': this.keyId, 'pa-signature': this.sign(input) };
  }
}
