import type { FastifyInstance } from 'fastify';

/**
 * Responses that are ready while the event loop is still reading this turn's requests are held
 * until that pass is over, then written one after another (in the turn's `setImmediate` phase).
 *
 * Why: when the client is on the same host (a reverse proxy in front of the server, or the
 * benchmark's load generator), writing a response to it while it sleeps waiting makes the writer
 * wake it, and on a virtual machine that wake-up (an interrupt to another CPU) cost more than the
 * rest of a status request together. Written back to back, the first response wakes the client
 * and the others find it awake. Under many connections polling status, that saves a large share
 * of the server's CPU per request (the bench's status scenario measures it).
 *
 * A response waits at most for the requests read in the same pass; under light load that is a few
 * microseconds. Responses that become ready later in the turn (the answers that wait for SQLite's
 * group commit, which also runs in the `setImmediate` phase) go out at once: they are already
 * written together. The status WebSocket's frames do not go through Fastify's replies, so never here.
 */
export function batchResponses(app: FastifyInstance): void {
  let collecting = false;
  let held: { send: (error: null, payload: unknown) => void; payload: unknown }[] = [];

  const writeHeld = () => {
    collecting = false;
    const ready = held;
    held = [];
    for (const { send, payload } of ready) {
      try {
        send(null, payload);
      } catch (error) {
        // One response failing to write must not strand the others.
        app.log.error({ err: error }, 'writing a held response failed');
      }
    }
  };

  // Requests are only read in the loop's poll phase, so the first one of a pass opens the batch,
  // and its `setImmediate` runs when that pass is over (before any group commit it may start).
  app.addHook('onRequest', (_request, _reply, done) => {
    if (!collecting) {
      collecting = true;
      setImmediate(writeHeld);
    }
    done();
  });

  app.addHook('onSend', (_request, _reply, payload, done) => {
    if (!collecting) {
      done(null, payload);
      return;
    }
    held.push({ send: done, payload });
  });
}
