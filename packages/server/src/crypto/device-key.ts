import { createPublicKey, KeyObject, verify, webcrypto } from 'node:crypto';

/**
 * Device keys are ECDSA P-256, sent as an SPKI PEM; signatures are standard base64 of ASN.1 DER
 * (not raw r||s) over SHA-256 of the UTF-8 message. See wire-protocol §4.2-§4.4.
 */
export interface DevicePublicKey {
  key: KeyObject;
  /** The canonical PEM we store: one base64 line of SPKI DER, as browsers send it. */
  pem: string;
}

/**
 * The SPKI DER of every uncompressed P-256 key starts with these 27 bytes (SEQUENCE, the
 * id-ecPublicKey and prime256v1 OIDs, the BIT STRING header and the 0x04 "uncompressed" marker),
 * followed by the 32-byte x and y coordinates.
 */
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex');
const P256_SPKI_LENGTH = P256_SPKI_PREFIX.length + 64;
const PEM_BODY = /^-----BEGIN PUBLIC KEY-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END PUBLIC KEY-----\s*$/;

export async function parseDevicePublicKey(pem: string): Promise<DevicePublicKey | undefined> {
  if (pem.length > 512) return undefined;
  const body = PEM_BODY.exec(pem.trim())?.[1];
  if (!body) return undefined;
  const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  try {
    // What browsers send: import the raw point (0x04 || x || y). OpenSSL's PEM/DER decoders cost
    // about three times as much, a JWK import about twice, and exporting the key again for the
    // canonical form as much once more. The import still refuses a point that is not on the curve.
    if (der.length === P256_SPKI_LENGTH && der.subarray(0, P256_SPKI_PREFIX.length).equals(P256_SPKI_PREFIX)) {
      const point = der.subarray(P256_SPKI_PREFIX.length - 1);
      const imported = await webcrypto.subtle.importKey('raw', point, { name: 'ECDSA', namedCurve: 'P-256' }, true, [
        'verify',
      ]);
      return { key: KeyObject.from(imported), pem: pemOf(der) };
    }
    // Anything else (a compressed point, say) goes through OpenSSL's general decoder.
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return undefined;
    return { key, pem: pemOf(key.export({ type: 'spki', format: 'der' })) };
  } catch {
    return undefined;
  }
}

const pemOf = (der: Buffer) => `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----`;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Checks a device signature on libuv's thread pool (the callback form of `crypto.verify`): an ECDSA
 * P-256 verify is ~45 µs of CPU that would otherwise hold up every other request.
 */
export async function verifyDeviceSignature(
  key: KeyObject,
  message: string,
  signatureBase64: string,
): Promise<boolean> {
  if (signatureBase64.length > 200 || !BASE64.test(signatureBase64)) return false;
  return new Promise((resolve) => {
    try {
      verify(
        'sha256',
        Buffer.from(message, 'utf8'),
        { key, dsaEncoding: 'der' },
        Buffer.from(signatureBase64, 'base64'),
        (error, valid) => resolve(!error && valid),
      );
    } catch {
      resolve(false);
    }
  });
}
