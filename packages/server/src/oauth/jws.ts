import { type KeyObject, sign } from 'node:crypto';

/**
 * Compact JWS with payload bytes we control. The official web SDK decodes the authToken payload
 * with plain `atob`, which throws on the base64url characters `-` and `_`. For ASCII JSON those
 * arise only from `>`, `?`, `~` and DEL, so those and every non-ASCII character are written as
 * `\u00XX` escapes (still the same JSON value). Signing is synchronous node:crypto, cheaper in
 * CPU than an async WebCrypto sign; verification of access tokens uses `jose`.
 */
const UNSAFE = /[\u007f-\uffff>?~]/;
const UNSAFE_ALL = /[\u007f-\uffff>?~]/g;

export function asciiSafeJson(value: unknown): string {
  const json = JSON.stringify(value);
  // Most payloads have nothing to escape; testing first skips the replace and its callback.
  if (!UNSAFE.test(json)) return json;
  return json.replace(UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A payload's JSON and its base64url form, which plain `atob` can decode. */
export function encodePayload(payload: unknown): { json: string; encoded: string } {
  const json = asciiSafeJson(payload);
  const encoded = Buffer.from(json).toString('base64url');
  if (/[-_]/.test(encoded)) {
    // Unreachable by construction; a token that breaks `atob` must never leave the server.
    throw new Error('JWT payload is not atob-safe');
  }
  return { json, encoded };
}

/** `base64url(header).base64url(payload)`, with a payload that plain `atob` can decode. */
export function signingInput(header: Record<string, string>, payload: unknown): string {
  return `${Buffer.from(asciiSafeJson(header)).toString('base64url')}.${encodePayload(payload).encoded}`;
}

/** An ES256 compact JWS (signature as raw r||s, as JWS requires). */
export function signCompactJws(header: Record<string, string>, payload: unknown, privateKey: KeyObject): string {
  const input = signingInput(header, payload);
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * A compact JWS whose three segments are canonical base64url: no padding, no other characters, and
 * no set bits after the last encoded byte. Decoders (jose's too) skip such extras, so without this
 * check one genuine token would have many accepted spellings (`token==`, a changed last character).
 */
export function isCanonicalCompactJws(token: string): boolean {
  if (!COMPACT_JWS.test(token)) return false;
  for (const segment of token.split('.')) {
    if (Buffer.from(segment, 'base64url').toString('base64url') !== segment) return false;
  }
  return true;
}
