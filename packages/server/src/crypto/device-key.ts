import { runKeyCheck } from './key-check-workers.js';

/**
 * Device keys are ECDSA P-256, sent as an SPKI PEM; signatures are standard base64 of ASN.1 DER
 * (not raw r||s) over SHA-256 of the UTF-8 message. See wire-protocol §4.2-§4.4.
 */
export type DeviceSignatureCheck =
  | { keyValid: false }
  | {
      keyValid: true;
      /** The canonical PEM to store: one base64 line of SPKI DER, as browsers send it. */
      pem: string;
      signatureValid: boolean;
    };

/**
 * The SPKI DER of every uncompressed P-256 key starts with these 27 bytes (SEQUENCE, the
 * id-ecPublicKey and prime256v1 OIDs, the BIT STRING header and the 0x04 "uncompressed" marker),
 * followed by the 32-byte x and y coordinates.
 */
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex');
const P256_SPKI_LENGTH = P256_SPKI_PREFIX.length + 64;
const PEM_BODY = /^-----BEGIN PUBLIC KEY-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END PUBLIC KEY-----\s*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Checks that `pem` is a P-256 public key and `signatureBase64` its signature over `message`. The
 * cryptography runs on a worker thread (key-check-workers.ts); the shapes are checked here first,
 * so malformed input never reaches OpenSSL. A signature that is not base64 (or too long) is simply
 * not valid; the key is still judged, so the caller can say which of the two was wrong.
 */
export async function checkDeviceSignature(
  pem: string,
  message: string,
  signatureBase64: string,
): Promise<DeviceSignatureCheck> {
  if (pem.length > 512) return { keyValid: false };
  const body = PEM_BODY.exec(pem.trim())?.[1];
  if (!body) return { keyValid: false };
  const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  // What browsers send: the worker imports the raw point (0x04 || x || y). OpenSSL's PEM/DER
  // decoders cost about three times as much; anything else (a compressed point, say) goes through
  // them, and is stored in the canonical form they export. Both refuse a point not on the curve.
  const usualShape =
    der.length === P256_SPKI_LENGTH && der.subarray(0, P256_SPKI_PREFIX.length).equals(P256_SPKI_PREFIX);
  const signatureShapeOk = signatureBase64.length <= 200 && BASE64.test(signatureBase64);
  const reply = await runKeyCheck({
    der,
    pointOffset: usualShape ? P256_SPKI_PREFIX.length - 1 : 0,
    message,
    signature: signatureShapeOk ? Buffer.from(signatureBase64, 'base64') : null,
  });
  if (!reply.keyValid) return { keyValid: false };
  const canonical = reply.canonicalDer ? Buffer.from(reply.canonicalDer) : der;
  return { keyValid: true, pem: pemOf(canonical), signatureValid: reply.signatureValid };
}

const pemOf = (der: Buffer) => `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----`;
