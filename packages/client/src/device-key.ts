import { ErrorCode, PocketproofError } from './errors.js';
import type { KeyRecord } from './types.js';

/**
 * The device key: WebCrypto ECDSA P-256 with a non-extractable private key, kept in IndexedDB
 * (structured clone keeps the CryptoKey usable without ever exposing its bytes). The device id the
 * server assigned is mirrored in localStorage so `isDeviceRegistered()` answers synchronously.
 */

const DB_NAME = 'Pocketproof';
const STORE = 'keys';
export const DEVICE_ID_KEY = 'Pocketproof.DeviceId';
export const NAMESPACE_KEY = 'Pocketproof.namespace';

function subtle(): SubtleCrypto {
  if (!globalThis.crypto?.subtle)
    throw new PocketproofError('WebCrypto is not available (a secure context is required)', ErrorCode.PLATFORM);
  return globalThis.crypto.subtle;
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (!globalThis.indexedDB) return reject(new PocketproofError('IndexedDB is not available', ErrorCode.PLATFORM));
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'namespace' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new PocketproofError(`IndexedDB: ${request.error?.message}`, ErrorCode.PLATFORM));
  });
}

async function withStore<T>(mode: IDBTransactionMode, use: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = use(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(new PocketproofError(`IndexedDB: ${request.error?.message}`, ErrorCode.PLATFORM));
    });
  } finally {
    db.close();
  }
}

export const keyStore = {
  get: (namespace: string) => withStore<KeyRecord | undefined>('readonly', (s) => s.get(namespace)),
  put: (record: KeyRecord) => withStore('readwrite', (s) => s.put(record)),
  /** Forgets every key of this site: the server said it no longer knows this device (10006). */
  async clear(): Promise<void> {
    try {
      localStorage.removeItem(DEVICE_ID_KEY);
    } catch {
      // storage may be blocked; the IndexedDB wipe still matters
    }
    await withStore('readwrite', (s) => s.clear()).catch(() => undefined);
  },
};

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return subtle().generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
}

/** SPKI DER in standard base64 on one line, in PEM armour (wire-protocol §4.2). */
export async function publicKeyPem(keys: CryptoKeyPair): Promise<string> {
  const spki = new Uint8Array(await subtle().exportKey('spki', keys.publicKey));
  return `-----BEGIN PUBLIC KEY-----\n${toBase64(spki)}\n-----END PUBLIC KEY-----`;
}

/** Signs UTF-8 `message`; the server wants standard base64 of ASN.1 DER, WebCrypto gives r‖s. */
export async function signMessage(keys: CryptoKeyPair, message: string): Promise<string> {
  const raw = new Uint8Array(
    await subtle().sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, new TextEncoder().encode(message)),
  );
  return toBase64(rawSignatureToDer(raw));
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await subtle().digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** IEEE P1363 (r‖s, 32 bytes each) → DER SEQUENCE { INTEGER r, INTEGER s }, minimally encoded. */
export function rawSignatureToDer(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array): number[] => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = Array.from(bytes.subarray(start));
    // A set high bit would read as negative: prefix a zero byte.
    if ((trimmed[0] ?? 0) & 0x80) trimmed.unshift(0);
    return [0x02, trimmed.length, ...trimmed];
  };
  const half = raw.length / 2;
  const body = [...integer(raw.subarray(0, half)), ...integer(raw.subarray(half))];
  return new Uint8Array([0x30, body.length, ...body]);
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
