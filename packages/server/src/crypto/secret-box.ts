import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for the secrets the server keeps in its database: the private signing keys
 * (whoever reads one can mint access tokens) and the code HMAC secret (whoever reads it can test
 * codes offline and forge authTokens). A copy of the database (a backup, a replica, a dump shared
 * for support) then holds nothing usable without `SECRETS_KEY`, which lives elsewhere.
 *
 * A sealed value is `sealed:v1:<key id>:<iv>:<ciphertext and tag>` (AES-256-GCM, base64url), bound
 * to where it is stored (the associated data names the row), so a sealed value copied into another
 * row does not open. The key id (a hash of the derived key) says which key sealed it, so that after
 * a rotation the previous key still opens old values until they are sealed again.
 */
export interface SecretBox {
  /** True when a key is configured: `seal` encrypts. Without one, values are stored as they are. */
  readonly sealing: boolean;
  seal(plaintext: string, context: string): string;
  /** The plaintext of a sealed value, or a value stored before sealing began as it is. */
  open(stored: string, context: string): string;
  /** True when `stored` is already sealed under the current key (nothing to do at start-up). */
  isCurrent(stored: string): boolean;
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

const PREFIX = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface Key {
  id: string;
  bytes: Buffer;
}

function deriveKey(secret: string): Key {
  // HKDF turns a passphrase-length secret into exactly the 32 bytes AES-256 needs, for this use only.
  const bytes = Buffer.from(hkdfSync('sha256', secret, '', 'pocketproof secrets at rest v1', 32));
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 12), bytes };
}

/** `current` seals and opens; `previous` (after a rotation) only opens. */
export function secretBox(current: string | undefined, previous: string | undefined = undefined): SecretBox {
  const sealingKey = current === undefined ? undefined : deriveKey(current);
  const keys = [sealingKey, previous === undefined ? undefined : deriveKey(previous)].filter(
    (key): key is Key => key !== undefined,
  );

  return {
    sealing: sealingKey !== undefined,

    seal(plaintext, context) {
      if (!sealingKey) return plaintext;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', sealingKey.bytes, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}${sealingKey.id}:${iv.toString('base64url')}:${sealed.toString('base64url')}`;
    },

    open(stored, context) {
      if (!stored.startsWith(PREFIX)) return stored;
      const [keyId = '', iv = '', sealed = ''] = stored.slice(PREFIX.length).split(':');
      const key = keys.find((k) => k.id === keyId);
      if (!key) {
        throw new SecretBoxError(
          keys.length === 0
            ? `the database holds secrets sealed with SECRETS_KEY (key id ${keyId}); set SECRETS_KEY`
            : `a secret in the database was sealed with a key that is neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS (key id ${keyId})`,
        );
      }
      const bytes = Buffer.from(sealed, 'base64url');
      try {
        if (bytes.length < TAG_BYTES) throw new Error('too short');
        // The tag length is pinned: GCM would otherwise accept a truncated tag, and with it forgeries.
        const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new SecretBoxError(`a sealed secret in the database does not open (${context}): altered or moved`);
      }
    },

    isCurrent(stored) {
      return sealingKey === undefined ? !stored.startsWith(PREFIX) : stored.startsWith(`${PREFIX}${sealingKey.id}:`);
    },
  };
}
