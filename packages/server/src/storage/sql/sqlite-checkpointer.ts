import { Worker } from 'node:worker_threads';
import { workerFile } from '../../worker-file.js';

/**
 * Why: a WAL checkpoint on the request's thread stalls every request behind it. Switch:
 * `SQLITE_CHECKPOINT_THREAD=false` leaves checkpoints to SQLite's own auto-checkpoint. Test:
 * sqlite-checkpointer.test.ts.
 *
 * Moves SQLite's WAL checkpoints off the event loop. With the default auto-checkpoint, the commit
 * that crosses 1,000 WAL pages copies them into the database file and fsyncs it, on the request's
 * thread: about a quarter of the cost of every write under load, and the slowest requests. Here a
 * worker thread with its own connection runs a PASSIVE checkpoint (it never blocks the writer) every
 * `intervalMs`; the writer then starts the WAL over from the beginning. The main connection keeps
 * a far higher auto-checkpoint threshold only as a safety net should the worker ever stop.
 */
export const SAFETY_NET_CHECKPOINT_PAGES = 20_000;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, onError: (error: Error) => void, intervalMs = 100): Checkpointer {
  const worker = new Worker(workerFile(import.meta.url, 'sqlite-checkpoint-worker'), {
    workerData: { path, intervalMs },
  });
  // The worker never keeps the process alive on its own; if it dies, the safety net takes over.
  worker.unref();
  worker.on('error', onError);
  return {
    async stop() {
      if (worker.threadId === -1) return;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      // Referenced while it finishes, or an otherwise idle process would exit mid-await.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
