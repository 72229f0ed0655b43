import { Worker } from 'node:worker_threads';

/**
 * The device-key checks run on a worker thread of their own. Importing a P-256 key and verifying an
 * ECDSA signature cost the event loop ~150 µs per registration (OpenSSL builds the curve group for
 * every key, WebCrypto's JavaScript is nearly half of an import, and handing the verification to
 * libuv's pool cost ~40 µs more): measured under flow load, the largest single item on the main
 * thread, which bounds the server's throughput. A check's messages cost the event loop less than
 * that, and the worker ~10 MB of memory.
 *
 * The worker is plain CommonJS with no imports but Node's own, so it starts in milliseconds and
 * works the same from the built server and from the TypeScript sources under test.
 */
export interface DeviceKeyJob {
  /** The SPKI DER of the key, in standard base64 (the PEM's body, whitespace removed). */
  spki: string;
  message: string;
  /** The DER signature in standard base64, or '' when it is malformed (then only the key is checked). */
  signature: string;
}

export type DeviceKeyResult =
  | { outcome: 'valid'; spki: string }
  | { outcome: 'bad-key' }
  | { outcome: 'bad-signature' };

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');

// Every uncompressed P-256 SPKI: SEQUENCE, the id-ecPublicKey and prime256v1 OIDs, the BIT STRING
// header and the 0x04 marker, then x and y. What browsers send; imported from its coordinates (as a
// JWK), which costs ~40 % less than OpenSSL's general decoder and still refuses a point that is not
// on the curve.
// (WebCrypto's raw import is a little cheaper still, but loading it made this thread ~15 MB larger.)
const P256_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex');
const COORDINATES = P256_PREFIX.length;

function importKey(der) {
  if (der.length === COORDINATES + 64 && der.subarray(0, COORDINATES).equals(P256_PREFIX)) {
    const x = der.subarray(COORDINATES, COORDINATES + 32).toString('base64url');
    const y = der.subarray(COORDINATES + 32).toString('base64url');
    return { key: createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' }), der };
  }
  // Anything else (a compressed point, say) goes through the general decoder and is stored re-encoded.
  const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return undefined;
  return { key, der: key.export({ type: 'spki', format: 'der' }) };
}

function check({ spki, message, signature }) {
  let imported;
  try {
    imported = importKey(Buffer.from(spki, 'base64'));
  } catch {
    imported = undefined;
  }
  if (!imported) return { outcome: 'bad-key' };
  let valid = false;
  try {
    valid = signature !== '' &&
      verify('sha256', Buffer.from(message, 'utf8'), { key: imported.key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  return valid ? { outcome: 'valid', spki: imported.der.toString('base64') } : { outcome: 'bad-signature' };
}

parentPort.on('message', (jobs) => parentPort.postMessage(jobs.map(check)));
`;

type Pending = { resolve: (result: DeviceKeyResult) => void; reject: (error: Error) => void };

/**
 * One worker, started on first use and never keeping the process alive. A check leaves for the
 * worker a microtask after it is asked for, with any others asked for in the same breath; waiting
 * for the end of the event loop's turn would batch more, but measured under load it added that turn
 * to every registration's latency and lowered throughput. The worker answers each message in order,
 * so the answers go to the oldest callers first. If it dies, its callers get an error and the next
 * check starts a new one.
 */
export class DeviceKeyThread {
  #worker: Worker | undefined;
  #queued: DeviceKeyJob[] = [];
  #queuedCallers: Pending[] = [];
  /** Callers of the batches sent and not yet answered, oldest first. */
  #inFlight: Pending[][] = [];

  check(job: DeviceKeyJob): Promise<DeviceKeyResult> {
    return new Promise((resolve, reject) => {
      if (this.#queued.length === 0) queueMicrotask(() => this.#send());
      this.#queued.push(job);
      this.#queuedCallers.push({ resolve, reject });
    });
  }

  /** Stops the worker; checks still running are refused. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
    this.#failAll(new Error('the device-key thread was closed'));
  }

  #send(): void {
    const jobs = this.#queued;
    const callers = this.#queuedCallers;
    this.#queued = [];
    this.#queuedCallers = [];
    if (jobs.length === 0) return;
    let worker: Worker;
    try {
      worker = this.#start();
    } catch (error) {
      // No thread could be started (out of memory, say): these checks fail, the next ones try again.
      for (const caller of callers) caller.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.#inFlight.push(callers);
    worker.postMessage(jobs);
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Its live data is a few keys at a time. A 1 MB young generation, rather than the size the
      // main thread has, keeps the thread's memory small; the old one is a ceiling, not a cost.
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 1 },
    });
    worker.unref();
    worker.on('message', (results: DeviceKeyResult[]) => {
      const callers = this.#inFlight.shift() ?? [];
      callers.forEach((caller, i) => {
        const result = results[i];
        if (result) caller.resolve(result);
        else caller.reject(new Error('the device-key thread gave no answer'));
      });
    });
    const stopped = (error: Error) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#failAll(error);
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`the device-key thread exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  #failAll(error: Error): void {
    const callers = this.#inFlight.flat().concat(this.#queuedCallers);
    this.#inFlight = [];
    this.#queued = [];
    this.#queuedCallers = [];
    for (const caller of callers) caller.reject(error);
  }
}
