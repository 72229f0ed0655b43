import { createPublicKey, type KeyObject, verify } from 'node:crypto';

/**
 * Device keys are ECDSA P-256, sent as an SPKI PEM; signatures are standard base64 of ASN.1 DER
 * (not raw r||s) over SHA-256 of the UTF-8 message. See wire-protocol §4.2-§4.4.
 */
export function parseDevicePublicKey(pem: string): KeyObject | undefined {
  if (pem.length > 512 || !pem.includes('-----BEGIN PUBLIC KEY-----')) return undefined;
  try {
    const key = createPublicKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return undefined;
    return key;
  } catch {
    return undefined;
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function verifyDeviceSignature(key: KeyObject, message: string, signatureBase64: string): boolean {
  if (signatureBase64.length > 200 || !BASE64.test(signatureBase64)) return false;
  try {
    return verify(
      'sha256',
      Buffer.from(message, 'utf8'),
      { key, dsaEncoding: 'der' },
      Buffer.from(signatureBase64, 'base64'),
    );
  } catch {
    return false;
  }
}

/** The canonical PEM we store: one base64 line of SPKI DER, as browsers send it. */
export function canonicalPem(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----`;
}
