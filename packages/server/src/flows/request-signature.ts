import { createHash } from 'node:crypto';
import { checkDeviceSignature } from '../crypto/device-key.js';
import type { Store } from '../storage/ports.js';
import type { DeviceRecord } from '../storage/records.js';
import type { FlowDeps } from './deps.js';

/** What checking a signed request reads: the challenge it consumes and the device it names. */
export type SignatureCheckDeps = Pick<FlowDeps, 'clock'> & { store: Pick<Store, 'challenges' | 'devices'> };

/**
 * Signed requests (wire-protocol §4.10): the browser signs
 * `POST\n<path>\n<query>\napplication/json\n<challenge>\n<hex sha256(raw body)>` with its device key
 * and sends `PA-Sig-Version: 3`, `PA-Challenge`, `PA-KID` and `PA-Signature`. The challenge names the
 * device and is consumed on first use, so a captured request cannot be replayed.
 */
export interface SignatureHeaders {
  version?: string;
  challenge?: string;
  keyId?: string;
  signature?: string;
}

export type SignatureCheck =
  | { status: 'unsigned' }
  | { status: 'valid'; device: DeviceRecord }
  | { status: 'invalid'; reason: string };

export function signingInput(path: string, query: string, challenge: string, rawBody: string): string {
  const bodyHash = createHash('sha256').update(rawBody, 'utf8').digest('hex');
  return ['POST', path, query, 'application/json', challenge, bodyHash].join('\n');
}

export async function checkRequestSignature(
  deps: SignatureCheckDeps,
  headers: SignatureHeaders,
  request: { path: string; query: string; rawBody: string },
): Promise<SignatureCheck> {
  if (!headers.signature && !headers.challenge && !headers.keyId) return { status: 'unsigned' };
  if (headers.version !== '3' || !headers.signature || !headers.challenge || !headers.keyId) {
    return { status: 'invalid', reason: 'incomplete PA-* signature headers' };
  }
  const now = deps.clock.now();
  const deviceId = await deps.store.challenges.consumeChallenge(headers.challenge, now);
  if (!deviceId) return { status: 'invalid', reason: 'unknown, used or expired challenge' };
  const device = await deps.store.devices.findDevice(deviceId);
  if (!device || device.revokedAt !== null || device.keyId !== headers.keyId) {
    return { status: 'invalid', reason: 'unknown or revoked device' };
  }
  const message = signingInput(request.path, request.query, headers.challenge, request.rawBody);
  if ((await checkDeviceSignature(device.publicKeyPem, message, headers.signature)).outcome !== 'valid') {
    return { status: 'invalid', reason: 'signature does not verify' };
  }
  return { status: 'valid', device };
}
