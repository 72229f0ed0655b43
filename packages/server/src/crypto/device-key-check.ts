import { createPublicKey, type KeyObject, verify } from 'node:crypto';

/** One device-key check: the key as SPKI DER and the signature as DER, both in standard base64. */
export interface DeviceKeyJob {
  /** The SPKI DER of the key, in standard base64 (the PEM's body, whitespace removed). */
  spki: string;
  message: string;
  /** The DER signature in standard base64, or '' when it is malformed (then only the key is checked). */
  signature: string;
}

export type DeviceKeyResult =
  | { outcome: 'valid'; spki: string }
  | { outcome: 'bad-key' }
  | { outcome: 'bad-signature' };

// Every uncompressed P-256 SPKI: SEQUENCE, the id-ecPublicKey and prime256v1 OIDs, the BIT STRING
// header and the 0x04 marker, then x and y. What browsers send; imported from its coordinates (as a
// JWK), which costs less than OpenSSL's general decoder and still refuses a point not on the curve.
const P256_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex');
const COORDINATES = P256_PREFIX.length;

function importKey(der: Buffer): { key: KeyObject; der: Buffer } | undefined {
  if (der.length === COORDINATES + 64 && der.subarray(0, COORDINATES).equals(P256_PREFIX)) {
    const x = der.subarray(COORDINATES, COORDINATES + 32).toString('base64url');
    const y = der.subarray(COORDINATES + 32).toString('base64url');
    return { key: createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' }), der };
  }
  // Anything else (a compressed point, say) goes through the general decoder and is stored re-encoded.
  const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return undefined;
  return { key, der: key.export({ type: 'spki', format: 'der' }) };
}

/** Imports the key and verifies the ECDSA P-256 / SHA-256 signature over the UTF-8 message. */
export function checkDeviceKey({ spki, message, signature }: DeviceKeyJob): DeviceKeyResult {
  let imported: ReturnType<typeof importKey>;
  try {
    imported = importKey(Buffer.from(spki, 'base64'));
  } catch {
    imported = undefined;
  }
  if (!imported) return { outcome: 'bad-key' };
  let valid = false;
  try {
    valid =
      signature !== '' &&
      verify(
        'sha256',
        Buffer.from(message, 'utf8'),
        { key: imported.key, dsaEncoding: 'der' },
        Buffer.from(signature, 'base64'),
      );
  } catch {
    valid = false;
  }
  return valid ? { outcome: 'valid', spki: imported.der.toString('base64') } : { outcome: 'bad-signature' };
}
