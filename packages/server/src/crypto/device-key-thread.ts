import { Worker } from 'node:worker_threads';
import { workerFile } from '../worker-file.js';
import type { DeviceKeyJob, DeviceKeyResult } from './device-key-check.js';

/**
 * Why: importing a P-256 key and verifying its signature is the largest single item of a
 * registration on the event loop. Switch: `DEVICE_KEY_THREAD=false` checks on the event loop.
 * Test: device-key.test.ts.
 *
 * One worker, started on first use and never keeping the process alive. Checks asked for in the
 * same breath leave together a microtask later; the worker answers each batch in order, so the
 * answers go to the oldest callers first. If the worker dies, its callers get an error and the next
 * check starts a new one.
 */
export class DeviceKeyThread {
  #worker: Worker | undefined;
  #queued: Pending[] = [];
  /** The batches sent and not yet answered, oldest first. */
  #inFlight: Pending[][] = [];

  check(job: DeviceKeyJob): Promise<DeviceKeyResult> {
    return new Promise((resolve, reject) => {
      if (this.#queued.length === 0) queueMicrotask(() => this.#send());
      this.#queued.push({ job, resolve, reject });
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
    this.#inFlight.push(batch);
    worker.postMessage(batch.map((check) => check.job));
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(workerFile(import.meta.url, 'device-key-worker'), {
      // Its live data is a few keys at a time: a small young generation keeps the thread small.
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 1 },
    });
    worker.unref();
    worker.on('message', (results: DeviceKeyResult[]) => {
      const batch = this.#inFlight.shift() ?? [];
      batch.forEach((check, i) => {
        const result = results[i];
        if (result) check.resolve(result);
        else check.reject(new Error('the device-key thread gave no answer'));
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
    const checks = this.#inFlight.flat().concat(this.#queued);
    this.#inFlight = [];
    this.#queued = [];
    for (const check of checks) check.reject(error);
  }
}

type Pending = {
  job: DeviceKeyJob;
  resolve: (result: DeviceKeyResult) => void;
  reject: (error: Error) => void;
};
