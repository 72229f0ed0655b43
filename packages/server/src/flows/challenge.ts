import { alphanumericToken } from '../crypto/random.js';
import type { Store } from '../storage/ports.js';
import type { FlowRecord } from '../storage/records.js';
import type { FlowDeps } from './deps.js';
import { deviceError } from './envelope.js';

/** What a challenge takes: the device it is for, a random value, its lifetime, and where it is kept. */
export type ChallengeDeps = Pick<FlowDeps, 'clock' | 'random' | 'config'> & {
  store: Pick<Store, 'devices' | 'challenges'>;
};

export type ChallengeResponse =
  | { challenge: string; ttl: number; next: '' }
  | { next: ''; error: { code: number; message: string } };

/**
 * `/v1/client/challenge` (wire-protocol §4.9): a single-use challenge bound to a device. The
 * `deviceId` is deliberately not echoed and the ttl is at most 60 s, so the SDK asks for a fresh
 * challenge for every signed request instead of reusing one.
 */
export async function issueChallenge(
  deps: ChallengeDeps,
  deviceId: string,
  flow: FlowRecord | undefined,
): Promise<ChallengeResponse> {
  const device = await deps.store.devices.findDevice(deviceId);
  if (!device || device.revokedAt !== null || (flow && device.clientId !== flow.clientId)) {
    return { next: '', error: deviceError('NO_DEVICE', 'device not found') };
  }
  const challenge = alphanumericToken(deps.random, 24).slice(0, 32);
  const ttl = deps.config.challengeTtlSeconds;
  await deps.store.challenges.insertChallenge(challenge, device.id, deps.clock.now() + ttl * 1000);
  return { challenge, ttl, next: '' };
}
