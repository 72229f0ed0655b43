import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Store } from '../storage/ports.js';
import type { SecretBox } from './secret-box.js';

/** Where each sealed value lives: the associated data that binds it to its row. */
export const signingKeyContext = (kid: string): string => `signing_keys.private_jwk:${kid}`;
export const serverSecretContext = (name: string): string => `server_secrets.value:${name}`;

/**
 * At start-up, with `SECRETS_KEY` set: seals every stored secret that is still in the clear (kept
 * before the key was set) or sealed under `SECRETS_KEY_PREVIOUS` (after a rotation), so that
 * setting or rotating the key takes one restart. Each row is replaced only if it still holds what
 * was read, so servers starting together do not undo each other. Returns how many were sealed.
 */
export async function resealStoredSecrets(store: Store, box: SecretBox): Promise<number> {
  if (!box.sealing) return 0;
  let sealed = 0;
  for (const key of await store.signingKeys.listSigningKeys()) {
    if (box.isCurrent(key.privateJwk)) continue;
    const context = signingKeyContext(key.kid);
    const resealed = box.seal(box.open(key.privateJwk, context), context);
    if (await store.signingKeys.replacePrivateJwk(key.kid, key.privateJwk, resealed)) sealed++;
  }
  for (const secret of await store.secrets.listSecrets()) {
    if (box.isCurrent(secret.value)) continue;
    const context = serverSecretContext(secret.name);
    const resealed = box.seal(box.open(secret.value, context), context);
    if (await store.secrets.replaceSecret(secret.name, secret.value, resealed)) sealed++;
  }
  return sealed;
}

/** The generated code HMAC secret (when `CODE_HMAC_SECRET` is unset): made on first start, kept sealed. */
export async function codeHmacSecret(store: Store, box: SecretBox, clock: Clock): Promise<string> {
  const context = serverSecretContext('code-hmac');
  const candidate = box.seal(randomBytes(32).toString('base64url'), context);
  return box.open(await store.secrets.getOrCreateSecret('code-hmac', candidate, clock.now()), context);
}
