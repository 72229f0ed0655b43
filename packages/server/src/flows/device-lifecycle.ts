import { AppError } from '../errors/app-error.js';
import type { Store } from '../storage/ports.js';
import type { FlowDeps } from './deps.js';
import { deviceError, type Envelope } from './envelope.js';
import type { SignatureCheck } from './request-signature.js';

/**
 * Ending a device key: by the integrator (`/v3/device/revoke`) or by the browser itself, signed
 * with that key (`/v1/client/device/unregister`). A revoked key is refused from then on and the
 * browser is told with 10006, which makes the SDK delete it.
 */

/** What ending a device key reads and writes: the devices, and the time of the revocation. */
export type DeviceLifecycleDeps = Pick<FlowDeps, 'clock'> & { store: Pick<Store, 'devices'> };

export async function revokeDevice(deps: DeviceLifecycleDeps, clientId: string, deviceId: string): Promise<void> {
  // Another client's device, an unknown one and an already revoked one are all "not found".
  if (!(await deps.store.devices.revokeDevice(deviceId, clientId, deps.clock.now()))) {
    throw new AppError('NOT_FOUND', 'deviceId is not a current device of this client');
  }
}

export async function unregisterDevice(
  deps: DeviceLifecycleDeps,
  signature: SignatureCheck,
  deviceId: string,
): Promise<Envelope> {
  if (signature.status === 'unsigned') {
    return {
      next: '',
      error: deviceError('PROHIBITED', 'unregister must be signed with the device key'),
    };
  }
  if (signature.status === 'invalid') {
    const device = await deps.store.devices.findDevice(deviceId);
    if (!device || device.revokedAt !== null) {
      return { next: '', error: deviceError('NO_DEVICE', 'device not found') };
    }
    return { next: '', error: deviceError('AUTH_FAILURE', 'the request signature is not valid') };
  }
  // The key may only unregister itself.
  if (signature.device.id !== deviceId) {
    return { next: '', error: deviceError('PROHIBITED', 'a device can only unregister itself') };
  }
  await deps.store.devices.revokeDevice(deviceId, signature.device.clientId, deps.clock.now());
  return { next: '' };
}
