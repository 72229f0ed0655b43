import { checkDeviceKey } from './device-key-check.js';
import { DeviceKeyThread } from './device-key-thread.js';

/**
 * Device keys are ECDSA P-256, sent as an SPKI PEM; signatures are standard base64 of ASN.1 DER
 * (not raw r||s) over SHA-256 of the UTF-8 message. See wire-protocol §4.2-§4.4. A valid check
 * gives the key's canonical PEM, the form to store: one base64 line of SPKI DER, as browsers send it.
 */
export type DeviceSignatureCheck =
  | { outcome: 'valid'; pem: string }
  | { outcome: 'bad-key' }
  | { outcome: 'bad-signature' };

const PEM_BODY = /^-----BEGIN PUBLIC KEY-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END PUBLIC KEY-----\s*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

let thread: DeviceKeyThread | undefined = new DeviceKeyThread();

/** Process-wide, set once at start from the configuration (`DEVICE_KEY_THREAD`). */
export function useDeviceKeyThread(on: boolean): void {
  if (!on) void thread?.close();
  thread = on ? (thread ?? new DeviceKeyThread()) : undefined;
}

/**
 * Imports the key and checks the signature over `message` on the device-key thread. Oversized and
 * malformed input is refused here, before it costs a message: a key is at most 512 characters and a
 * signature at most 200 (a P-256 DER signature is at most 96 base64 characters).
 */
export async function checkDeviceSignature(
  pem: string,
  message: string,
  signatureBase64: string,
): Promise<DeviceSignatureCheck> {
  const body = pem.length > 512 ? undefined : PEM_BODY.exec(pem.trim())?.[1];
  if (!body) return { outcome: 'bad-key' };
  const signature = signatureBase64.length <= 200 && BASE64.test(signatureBase64) ? signatureBase64 : '';
  const job = { spki: body.replace(/\s+/g, ''), message, signature };
  const result = thread ? await thread.check(job) : checkDeviceKey(job);
  if (result.outcome !== 'valid') return { outcome: result.outcome };
  return { outcome: 'valid', pem: `-----BEGIN PUBLIC KEY-----\n${result.spki}\n-----END PUBLIC KEY-----` };
}
