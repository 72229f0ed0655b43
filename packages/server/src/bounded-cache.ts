import { LRUCache } from 'lru-cache';

/** What the server's caches use of a bounded map; `undefined` is not a value (it means "absent"). */
export interface BoundedCache<K extends {}, V extends {}> {
  get(key: K): V | undefined;
  set(key: K, value: V): void;
  has(key: K): boolean;
  delete(key: K): void;
  clear(): void;
  readonly size: number;
}

/**
 * A map that holds at most `maxEntries`, dropping the least recently used entry to make room: for
 * whatever the server remembers to skip repeated work (verified tokens, parsed numbers, API
 * clients, prepared statements), so that no stream of requests can grow it without bound. Backed
 * by `lru-cache` (maintained, widely used) rather than one more hand-made
 * Map trimmed by insertion order in each place.
 */
export function boundedCache<K extends {}, V extends {}>(maxEntries: number): BoundedCache<K, V> {
  return new LRUCache<K, V>({ max: maxEntries });
}
