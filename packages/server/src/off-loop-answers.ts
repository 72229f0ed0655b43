/**
 * Answers worked out off the event loop (the device-key thread's) normally reach it in the poll
 * phase of the loop's next pass. The SQLite group commit takes them in just before it commits
 * instead, so that a request woken by one can still write into that commit: otherwise the request
 * waits for the next pass and the next commit, a whole pass of a busy loop later. The device-key
 * thread also uses this moment to do on the event loop the checks its thread has not started in
 * time (device-key-thread.ts). A `take` must not throw: it runs in a callback of its own.
 */
const sources = new Set<() => void>();

/** `take` delivers, synchronously, whatever answers have arrived. Returns the way to withdraw it. */
export function offerOffLoopAnswers(take: () => void): () => void {
  sources.add(take);
  return () => sources.delete(take);
}

export function takeOffLoopAnswers(): void {
  for (const take of sources) take();
}
