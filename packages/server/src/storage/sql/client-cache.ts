import { boundedCache } from '../../bounded-cache.js';
import type { ClientRecord } from '../records.js';

/**
 * API clients as last read, for the one lookup every server-API request makes. An entry is only
 * trusted while nothing else could have changed it: this process's own writes clear the entry,
 * and any commit by another connection (the CLI deleting a client, another server process) moves
 * SQLite's `data_version`, which clears them all. The counter is read at most once a millisecond
 * (each read takes SQLite's file locks), so a client deleted by the CLI is refused within a
 * millisecond. PostgreSQL has no such counter; there the store reads through.
 */
export interface ClientCache {
  get(id: string): ClientRecord | undefined;
  /** Call before reading the row; pass the result to `set`. */
  version(): number;
  /** Keeps `client` unless another connection committed since `version` (it may be stale). */
  set(client: ClientRecord, version: number): void;
  forget(id: string): void;
}

const MAX_ENTRIES = 10_000;

const RECHECK_MS = 1;

export function clientCache(externalChanges: () => number): ClientCache {
  const entries = boundedCache<string, ClientRecord>(MAX_ENTRIES);
  let seen = externalChanges();
  let checkedAt = performance.now();
  const fresh = () => {
    const at = performance.now();
    if (at - checkedAt < RECHECK_MS) return;
    checkedAt = at;
    const now = externalChanges();
    if (now !== seen) {
      entries.clear();
      seen = now;
    }
  };
  return {
    get(id) {
      fresh();
      return entries.get(id);
    },
    version() {
      fresh();
      return seen;
    },
    set(client, version) {
      fresh();
      if (seen !== version) return;
      entries.set(client.id, client);
    },
    forget(id) {
      entries.delete(id);
    },
  };
}
