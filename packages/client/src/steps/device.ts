import { DEVICE_ID_KEY, generateKeyPair, keyStore, publicKeyPem, signMessage } from '../device-key.js';
import type { Session } from '../session.js';
import type { Envelope, KeyRecord } from '../types.js';

/**
 * `device/passive/silent` (wire-protocol §4.2-§4.3): verify the stored key, or register a new one.
 * The server answers which step comes next: `done` when a bound key proved possession.
 */
export async function deviceStep(session: Session): Promise<Envelope> {
  const { claims } = session;
  const stored = session.key;
  if (stored?.deviceId) {
    const signature = await signMessage(stored.keys, `${stored.deviceId}:${claims.chlg}`);
    const answer = await session.call('/v1/client/device/passive/verify', {
      deviceId: stored.deviceId,
      keyId: stored.keyId,
      signature,
      signals: {},
    });
    return answer;
  }

  const keys = await generateKeyPair();
  const keyId = crypto.randomUUID();
  const answer = await session.call('/v1/client/device/passive/register', {
    deviceName: deviceName(),
    deviceCapabilities: 'PublicKeyCredential' in globalThis ? ['webauthn'] : [],
    registrations: [
      {
        publicKey: { id: keyId, alg: 'ES256', key: await publicKeyPem(keys), uvLevel: 0 },
        signature: await signMessage(keys, claims.chlg),
      },
    ],
    signals: {},
  });
  const deviceId = answer.data?.deviceId;
  if (typeof deviceId === 'string' && deviceId) {
    const record: KeyRecord = {
      namespace: claims.ans,
      endpoint: session.origin,
      keyId,
      deviceId,
      keys,
      createdAt: Date.now(),
    };
    await keyStore.put(record);
    session.key = record;
    try {
      localStorage.setItem(DEVICE_ID_KEY, deviceId);
    } catch {
      // the key in IndexedDB is what counts
    }
  }
  return answer;
}

/** "Chrome 156 on Linux": enough for a person to recognise the device in a list. */
function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /(Edg|Firefox|Chrome|Safari)\/(\d+)/.exec(ua);
  const os = /(Windows|Android|iPhone|iPad|Mac OS X|Linux)/.exec(ua)?.[1] ?? 'unknown OS';
  return `${browser ? `${browser[1] === 'Edg' ? 'Edge' : browser[1]} ${browser[2]}` : 'Browser'} on ${os}`;
}
