import { createPublicKey, verify } from 'node:crypto';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { offerOffLoopAnswers } from '../off-loop-answers.js';

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

/** The check itself, as source: the worker runs it, and so may the event loop (see `takeAnswers`). */
const CHECK_SOURCE = `
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
`;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
${CHECK_SOURCE}
// Checks are numbered in the order they are sent, and whoever moves \`claimed\` past a number does
// that check: this thread, in order, or the event loop, taking over one this thread has not reached.
const claimed = new Int32Array(workerData.claimed);
const claim = (number) => Atomics.compareExchange(claimed, 0, number, (number + 1) | 0) === number;
// Answers go back on a port of their own, which the event loop can also read synchronously.
parentPort.on('message', ({ first, jobs }) =>
  workerData.answers.postMessage(jobs.map((job, i) => (claim((first + i) | 0) ? check(job) : null))),
);
`;

const checkOnEventLoop = new Function('createPublicKey', 'verify', `${CHECK_SOURCE}\nreturn check;`)(
  createPublicKey,
  verify,
) as (job: DeviceKeyJob) => DeviceKeyResult;

type InFlight = {
  number: number;
  job: DeviceKeyJob;
  resolve: (result: DeviceKeyResult) => void;
  reject: (error: Error) => void;
  /** How many times answers had been taken in when it was sent. */
  sentAtTake: number;
  done: boolean;
};

/**
 * One worker, started on first use and never keeping the process alive. A check leaves for the
 * worker a microtask after it is asked for, with any others asked for in the same breath; waiting
 * for the end of the event loop's turn would batch more, but measured under load it added that turn
 * to every registration's latency and lowered throughput. The worker answers each message in order,
 * so the answers go to the oldest callers first. Besides the event loop's poll, the SQLite group
 * commit takes answers in just before it commits (off-loop-answers.ts), and a check the worker has
 * not started by then, a pass after it was sent, is done there instead (see `takeAnswers`). If the
 * worker dies, its callers get an error and the next check starts a new one.
 */
export class DeviceKeyThread {
  #worker: Worker | undefined;
  #answers: MessagePort | undefined;
  #withdrawOffer: (() => void) | undefined;
  /** Shared with the worker: the number of checks claimed so far, by it or by the event loop. */
  #claimed = new Int32Array(new SharedArrayBuffer(4));
  #sent = 0;
  #takes = 0;
  #doneOnEventLoop = 0;
  #queued: InFlight[] = [];
  /** The batches sent and not yet answered, oldest first. */
  #inFlight: InFlight[][] = [];

  check(job: DeviceKeyJob): Promise<DeviceKeyResult> {
    return new Promise((resolve, reject) => {
      if (this.#queued.length === 0) queueMicrotask(() => this.#send());
      this.#queued.push({ number: 0, job, resolve, reject, sentAtTake: 0, done: false });
    });
  }

  /** How many checks the event loop has done itself, the worker not having started them in time. */
  get checksDoneOnEventLoop(): number {
    return this.#doneOnEventLoop;
  }

  /** Stops the worker; checks still running are refused. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#stopListening();
    if (worker) await worker.terminate();
    this.#failAll(new Error('the device-key thread was closed'));
  }

  #send(): void {
    const batch = this.#queued;
    this.#queued = [];
    if (batch.length === 0) return;
    let worker: Worker;
    try {
      worker = this.#start();
    } catch (error) {
      // No thread could be started (out of memory, say): these checks fail, the next ones try again.
      for (const check of batch) check.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const first = this.#sent;
    batch.forEach((check, i) => {
      check.number = (first + i) | 0;
      check.sentAtTake = this.#takes;
    });
    this.#sent = (first + batch.length) | 0;
    this.#inFlight.push(batch);
    worker.postMessage({ first, jobs: batch.map((check) => check.job) });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const { port1: answers, port2 } = new MessageChannel();
    // A new worker starts counting from zero.
    const claimed = new SharedArrayBuffer(4);
    this.#claimed = new Int32Array(claimed);
    this.#sent = 0;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { answers: port2, claimed },
      transferList: [port2],
      // Its live data is a few keys at a time. A 1 MB young generation, rather than the size the
      // main thread has, keeps the thread's memory small; the old one is a ceiling, not a cost.
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 1 },
    });
    worker.unref();
    answers.unref();
    answers.on('message', (results: (DeviceKeyResult | null)[]) => this.#deliver(results));
    const stopped = (error: Error) => {
      if (this.#worker !== worker) return;
      this.#stopListening();
      this.#failAll(error);
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`the device-key thread exited with code ${code}`)));
    this.#worker = worker;
    this.#answers = answers;
    this.#withdrawOffer = offerOffLoopAnswers(() => this.takeAnswers());
    return worker;
  }

  /**
   * Delivers, now, the answers that have arrived, without waiting for the event loop's poll; then
   * does here the checks sent at least a pass ago (answers were taken in since) that the worker has
   * not started. On two busy cores the worker can wait several passes for a CPU, and its callers
   * with it: measured under flow load, one registration in ten then spanned four commits or more,
   * which set the step's p99. Doing the late ones here costs the event loop ~0.2 ms each, for the
   * few it takes over. Returns how many checks were answered.
   */
  takeAnswers(): number {
    this.#takes++;
    let answered = 0;
    while (this.#answers && this.#inFlight.length > 0) {
      const received = receiveMessageOnPort(this.#answers);
      if (!received) break;
      answered += this.#deliver(received.message as (DeviceKeyResult | null)[]);
    }
    for (const batch of this.#inFlight) {
      for (const check of batch) {
        if (check.done) continue;
        if (this.#takes - check.sentAtTake < 2) return answered;
        const claimed = Atomics.compareExchange(this.#claimed, 0, check.number, (check.number + 1) | 0);
        if (claimed !== check.number) continue; // the worker has it
        check.done = true;
        try {
          check.resolve(checkOnEventLoop(check.job));
        } catch (error) {
          check.reject(error instanceof Error ? error : new Error(String(error)));
        }
        this.#doneOnEventLoop++;
        answered++;
      }
    }
    return answered;
  }

  /** A batch's answers: null for each check the event loop has done itself. */
  #deliver(results: (DeviceKeyResult | null)[]): number {
    const batch = this.#inFlight.shift() ?? [];
    let answered = 0;
    batch.forEach((check, i) => {
      const result = results[i];
      if (check.done) return;
      check.done = true;
      answered++;
      if (result) check.resolve(result);
      else check.reject(new Error('the device-key thread gave no answer'));
    });
    return answered;
  }

  #stopListening(): void {
    this.#worker = undefined;
    this.#answers?.close();
    this.#answers = undefined;
    this.#withdrawOffer?.();
    this.#withdrawOffer = undefined;
  }

  #failAll(error: Error): void {
    const checks = this.#inFlight.flat().concat(this.#queued);
    this.#inFlight = [];
    this.#queued = [];
    for (const check of checks) if (!check.done) check.reject(error);
  }
}
