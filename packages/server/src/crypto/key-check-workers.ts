import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Device-key checks run on worker threads. Importing a P-256 point costs about as much as
 * verifying a signature (OpenSSL checks the point is on the curve and of the right order), and
 * both are pure CPU: on the event loop they held up every other request for ~150 µs per device
 * request. Here the event loop only posts the bytes and receives the verdict (~30 µs).
 *
 * The worker's source is plain JavaScript: worker threads cannot load this package's TypeScript
 * when it runs from source (tests), and the code is short. Each job gets a reply, even a failed
 * one: `keyValid` false for anything that is not a P-256 public key.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify, webcrypto, KeyObject } = require('node:crypto');
const P256 = { name: 'ECDSA', namedCurve: 'P-256' };

async function importKey(der, pointOffset) {
  if (pointOffset > 0) {
    const imported = await webcrypto.subtle.importKey('raw', der.subarray(pointOffset), P256, true, ['verify']);
    return { key: KeyObject.from(imported) };
  }
  const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return undefined;
  return { key, canonicalDer: key.export({ type: 'spki', format: 'der' }) };
}

parentPort.on('message', async ({ id, der, pointOffset, message, signature }) => {
  let imported;
  try {
    imported = await importKey(Buffer.from(der.buffer, der.byteOffset, der.byteLength), pointOffset);
  } catch {}
  if (!imported) return parentPort.postMessage({ id, keyValid: false });
  let signatureValid = false;
  try {
    signatureValid = signature !== null && verify('sha256', Buffer.from(message, 'utf8'),
      { key: imported.key, dsaEncoding: 'der' }, Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength));
  } catch {}
  parentPort.postMessage({ id, keyValid: true, signatureValid, canonicalDer: imported.canonicalDer });
});
`;

export interface KeyCheckJob {
  /** SPKI DER of the key. */
  der: Uint8Array;
  /** Where the raw uncompressed point starts in `der` when it has the usual P-256 shape, else 0. */
  pointOffset: number;
  message: string;
  /** DER signature bytes, or null to check only the key. */
  signature: Uint8Array | null;
}

export type KeyCheckReply =
  | { keyValid: false }
  | { keyValid: true; signatureValid: boolean; canonicalDer: Uint8Array | undefined };

type Pending = { resolve: (reply: KeyCheckReply) => void; reject: (error: unknown) => void };

class KeyCheckWorker {
  // Its heap holds a few keys at a time: small limits keep its resident memory near an idle isolate's.
  readonly #worker = new Worker(WORKER_SOURCE, {
    eval: true,
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 32 },
  });
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;

  constructor(onGone: (gone: KeyCheckWorker) => void) {
    // Idle workers never keep the process alive; one with work in hand does (see `run`).
    this.#worker.unref();
    this.#worker.on('message', (reply: KeyCheckReply & { id: number }) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) this.#worker.unref();
      pending?.resolve(reply);
    });
    const fail = (error: unknown) => {
      onGone(this);
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`device key worker exited with code ${code}`)));
  }

  get load(): number {
    return this.#pending.size;
  }

  run(job: KeyCheckJob): Promise<KeyCheckReply> {
    const id = this.#nextId++;
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, ...job });
    });
  }
}

/** One worker per core beyond the event loop's, at least one and at most four; started on first use. */
const POOL_SIZE = Math.max(1, Math.min(4, availableParallelism() - 1));
const pool: KeyCheckWorker[] = [];

export function runKeyCheck(job: KeyCheckJob): Promise<KeyCheckReply> {
  let worker: KeyCheckWorker | undefined;
  if (pool.length < POOL_SIZE) {
    worker = new KeyCheckWorker((gone) => pool.splice(pool.indexOf(gone) >>> 0, 1));
    pool.push(worker);
  } else {
    worker = pool.reduce((least, next) => (next.load < least.load ? next : least));
  }
  return worker.run(job);
}
