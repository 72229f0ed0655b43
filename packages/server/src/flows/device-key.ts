import { checkDeviceSignature, type DeviceSignatureCheck } from '../crypto/device-key.js';
import type { Store } from '../storage/ports.js';
import type { DeviceRecord, FlowRecord } from '../storage/records.js';
import {
  type CompleteDeps,
  completeWithBoundKey,
  type FailFlowDeps,
  failFlow,
  type RequirePossessionDeps,
  requirePossession,
} from './complete.js';
import type { FlowDeps } from './deps.js';
import { deviceError, type Envelope, endWithError, refuseClosedFlow } from './envelope.js';

/**
 * The silent device key (wire-protocol §4.2-§4.3). Registration stores an unbound key; it is bound
 * to a number only when possession is proven (OTP, or bind for `none`). A key bound to the flow's
 * number that signs this flow's challenge proves possession without an SMS.
 */

export interface RegisterBody {
  deviceName?: string;
  registrations: { publicKey: { id: string; alg: string; key: string }; signature: string }[];
}

export interface VerifyBody {
  deviceId: string;
  keyId: string;
  signature: string;
}

const DEVICE_TYPES = ['mobile', 'none'] as const;

/** Registration stores a new key on the flow (or fails it), and may leave it needing possession. */
export type RegisterDeviceDeps = FailFlowDeps &
  RequirePossessionDeps &
  Pick<FlowDeps, 'clock' | 'random'> & { store: Pick<Store, 'flows'> };

/** Verification reads the key (and its idle lifetime), attaches it to the flow, and may finish the flow. */
export type VerifyDeviceDeps = FailFlowDeps &
  CompleteDeps &
  RequirePossessionDeps &
  Pick<FlowDeps, 'clock' | 'config'> & { store: Pick<Store, 'flows' | 'devices'> };

/**
 * A registration's key check (import and signature over `challenge`),
 * made as soon as the challenge is known; undefined when the key is not ES256 (the algorithm is
 * checked first, so that a key of another kind never costs an import).
 */
export interface RegistrationCheck {
  challenge: string;
  result: Promise<DeviceSignatureCheck> | undefined;
}

export function startRegistrationCheck(body: RegisterBody, challenge: string): RegistrationCheck {
  const registration = body.registrations[0];
  const result =
    registration?.publicKey.alg === 'ES256'
      ? checkDeviceSignature(registration.publicKey.key, challenge, registration.signature)
      : undefined;
  // Awaited only if the flow may register: a refused flow must not leave a failure unhandled.
  result?.catch(() => {});
  return { challenge, result };
}

/**
 * `early` is the check the route started from the authToken's challenge while the flow was being
 * read; it counts only if that is this flow's challenge.
 */
export async function registerDevice(
  deps: RegisterDeviceDeps,
  flow: FlowRecord,
  body: RegisterBody,
  early?: RegistrationCheck,
): Promise<Envelope> {
  const now = deps.clock.now();
  const refused = refuseClosedFlow(flow, now, { possessionType: flow.possessionType, types: DEVICE_TYPES });
  if (refused) return refused;
  if (flow.deviceId) return endWithError('PROHIBITED', 'a device key is already registered in this flow');

  // The signature over this flow's challenge proves the browser holds the private key now.
  const registration = body.registrations[0];
  const check = early?.challenge === flow.challenge ? early : startRegistrationCheck(body, flow.challenge);
  const checked = await check.result;
  if (!registration || !checked || checked.outcome === 'bad-key') {
    await failFlow(deps, flow.id, 'bad_device_key', 'device key is not an ES256 (P-256) SPKI public key');
    return endWithError('AUTH_FAILURE', 'the device key must be an ES256 (P-256) public key');
  }
  if (checked.outcome !== 'valid') {
    await failFlow(deps, flow.id, 'bad_device_signature', 'device key registration signature invalid');
    return endWithError('AUTH_FAILURE', 'the registration signature is not valid for this flow');
  }

  const device: DeviceRecord = {
    id: deps.random.timeOrderedId(),
    clientId: flow.clientId,
    keyId: registration.publicKey.id,
    publicKeyPem: checked.pem,
    name: (body.deviceName ?? '').slice(0, 100),
    phone: null,
    boundAt: null,
    createdAt: now,
    lastUsedAt: now,
    revokedAt: null,
  };
  const attached = await deps.store.flows.registerDevice(flow.id, device);
  if (!attached) return endWithError('PROHIBITED', 'a device key is already registered in this flow');

  if (flow.possessionType === 'none') {
    await requirePossession(deps, flow.id, now);
    return { next: 'done', data: { deviceId: device.id } };
  }
  return { next: 'mobile/otp', data: { deviceId: device.id } };
}

export async function verifyDevice(deps: VerifyDeviceDeps, flow: FlowRecord, body: VerifyBody): Promise<Envelope> {
  const now = deps.clock.now();
  const refused = refuseClosedFlow(flow, now, { possessionType: flow.possessionType, types: DEVICE_TYPES });
  if (refused) return refused;
  if (flow.deviceId) return endWithError('PROHIBITED', 'a device key was already used in this flow');

  const device = await deps.store.devices.findDevice(body.deviceId);
  const lapsedBefore = now - deps.config.deviceKeyIdleDays * 86_400_000;
  // Another tenant's device, a revoked or lapsed one, and a key id mismatch all read as "no device":
  // the browser deletes its key and registers a new one in this same flow.
  if (
    !device ||
    device.clientId !== flow.clientId ||
    device.revokedAt !== null ||
    device.lastUsedAt < lapsedBefore ||
    device.keyId !== body.keyId
  ) {
    return { next: 'device/passive/silent', error: deviceError('NO_DEVICE', 'device not found') };
  }

  const checked = await checkDeviceSignature(device.publicKeyPem, `${device.id}:${flow.challenge}`, body.signature);
  if (checked.outcome !== 'valid') {
    await failFlow(deps, flow.id, 'bad_device_signature', 'device key signature invalid');
    return endWithError('AUTH_FAILURE', 'the device signature is not valid for this flow');
  }
  if (!(await deps.store.flows.attachDevice(flow.id, device.id, 'verified'))) {
    return endWithError('PROHIBITED', 'a device key was already used in this flow');
  }
  await deps.store.devices.touchDevice(device.id, now);

  const boundPhone = silentPhone(flow, device);
  if (boundPhone) {
    await completeWithBoundKey(deps, flow, boundPhone, device.id);
    return { next: 'done' };
  }
  if (flow.possessionType === 'none') {
    await requirePossession(deps, flow.id, now);
    return { next: 'done' };
  }
  return { next: 'mobile/otp' };
}

/**
 * The number a verified key proves without an SMS, if any: the key must be bound, match the
 * number the integrator asked about (when it named one) and the device it named (when it named
 * one), and the integrator must not have asked to rebind.
 */
function silentPhone(flow: FlowRecord, device: DeviceRecord): string | undefined {
  if (!device.phone || flow.rebind) return undefined;
  if (flow.phone !== null && flow.phone !== device.phone) return undefined;
  if (flow.requestedDeviceId !== null && flow.requestedDeviceId !== device.id) return undefined;
  return device.phone;
}
