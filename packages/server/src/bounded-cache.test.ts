import { describe, expect, it } from 'vitest';
import { boundedCache } from './bounded-cache.js';

describe('boundedCache', () => {
  it('never holds more than its bound, whatever is put in', () => {
    const cache = boundedCache<string, number>(100);
    for (let i = 0; i < 10_000; i++) cache.set(`key ${i}`, i);
    expect(cache.size).toBe(100);
    expect(cache.get('key 9999')).toBe(9999);
    expect(cache.get('key 9899')).toBeUndefined();
  });

  it('drops the least recently used entry first: a read keeps an entry in', () => {
    const cache = boundedCache<string, string>(2);
    cache.set('a', 'first');
    cache.set('b', 'second');
    expect(cache.get('a')).toBe('first');
    cache.set('c', 'third');
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
    expect(cache.get('c')).toBe('third');
  });

  it('replaces a value in place, forgets on delete, and empties on clear', () => {
    const cache = boundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('a', 2);
    expect(cache.size).toBe(1);
    expect(cache.get('a')).toBe(2);
    cache.set('b', 3);
    cache.delete('a');
    expect(cache.has('a')).toBe(false);
    expect(cache.size).toBe(1);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('b')).toBeUndefined();
  });
});
