import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Store } from '../storage/ports.js';
import type { ClientRecord } from '../storage/records.js';
import { generateClientSecret, hashClientSecret } from './client-secret.js';

/** Client administration shared by the CLI and the dev demo client. */

export interface CreatedClient {
  clientId: string;
  clientSecret: string;
  record: ClientRecord;
}

const CLIENT_ID = /^[A-Za-z0-9_-]{3,64}$/;

export function isValidClientId(id: string): boolean {
  return CLIENT_ID.test(id);
}

export async function createClient(
  store: Store,
  clock: Clock,
  input: { name: string; id?: string; redirectOrigins?: string[]; anyRedirectTarget?: boolean; secret?: string },
): Promise<CreatedClient> {
  const clientId = input.id ?? `pp_${randomBytes(12).toString('hex')}`;
  if (!isValidClientId(clientId)) throw new Error('client id must be 3-64 characters of A-Z a-z 0-9 _ -');
  const redirectOrigins = parseRedirectOrigins(input.redirectOrigins ?? []);
  const clientSecret = input.secret ?? generateClientSecret();
  const record: ClientRecord = {
    id: clientId,
    name: input.name,
    secretHash: await hashClientSecret(clientSecret),
    redirectOrigins,
    anyRedirectTarget: input.anyRedirectTarget ?? false,
    createdAt: clock.now(),
    secretRotatedAt: null,
  };
  await store.clients.insertClient(record);
  return { clientId, clientSecret, record };
}

/** Issues a new secret; the old one stops working at once. Returns undefined for an unknown client. */
export async function rotateClientSecret(store: Store, clock: Clock, clientId: string): Promise<string | undefined> {
  const clientSecret = generateClientSecret();
  const updated = await store.clients.updateClientSecret(clientId, await hashClientSecret(clientSecret), clock.now());
  return updated ? clientSecret : undefined;
}

/**
 * Replaces where a client's Instant Links may redirect: to `redirectOrigins`, or (an explicit
 * choice) anywhere. Returns false for an unknown client.
 */
export async function setClientRedirects(
  store: Store,
  clientId: string,
  redirects: { redirectOrigins: string[]; anyRedirectTarget: boolean },
): Promise<boolean> {
  return store.clients.updateClientRedirects(clientId, {
    redirectOrigins: parseRedirectOrigins(redirects.redirectOrigins),
    anyRedirectTarget: redirects.anyRedirectTarget,
  });
}

function parseRedirectOrigins(texts: string[]): string[] {
  return texts.map((text) => {
    const origin = parseRedirectOrigin(text);
    if (!origin) throw new Error(`redirect origin ${text} is not an http(s) URL`);
    return origin;
  });
}

/** Redirect origins must be bare http(s) origins; returns the normalised origin or undefined. */
export function parseRedirectOrigin(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}
