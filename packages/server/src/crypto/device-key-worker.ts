import { parentPort } from 'node:worker_threads';
import { checkDeviceKey, type DeviceKeyJob } from './device-key-check.js';

/** The device-key thread (device-key-thread.ts): answers each batch of checks in order. */
parentPort?.on('message', (jobs: DeviceKeyJob[]) => parentPort?.postMessage(jobs.map(checkDeviceKey)));
