import { describe, expect, it } from 'vitest';
import { alphanumericToken, cryptoRandom } from './random.js';

describe('cryptoRandom', () => {
  it('tokens have the asked-for length and never repeat, across many pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const token = cryptoRandom.token(32);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      seen.add(token);
    }
    expect(seen.size).toBe(5_000);
  });

  it('tokens larger than the pool are still random and whole', () => {
    const a = cryptoRandom.token(5_000);
    expect(Buffer.from(a, 'base64url')).toHaveLength(5_000);
    expect(a).not.toBe(cryptoRandom.token(5_000));
  });

  it('bytes are spread evenly (no stuck or reused pool region)', () => {
    const counts = new Array(256).fill(0);
    for (let i = 0; i < 2_000; i++) for (const b of Buffer.from(cryptoRandom.token(64), 'base64url')) counts[b]++;
    // 128,000 bytes: each value is expected 500 times; 350..650 is far outside chance.
    expect(Math.min(...counts)).toBeGreaterThan(350);
    expect(Math.max(...counts)).toBeLessThan(650);
  });

  it('digits are decimal of the asked-for length; challenges are alphanumeric', () => {
    expect(cryptoRandom.digits(6)).toMatch(/^[0-9]{6}$/);
    expect(alphanumericToken(cryptoRandom, 24)).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('time-ordered ids are UUID v7: version and variant set, unique, and sorted as text by creation time', async () => {
    const before = Date.now();
    const first = Array.from({ length: 1_000 }, () => cryptoRandom.timeOrderedId());
    await new Promise((resolve) => setTimeout(resolve, 3));
    const later = cryptoRandom.timeOrderedId();
    for (const id of [...first, later])
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(first).size).toBe(1_000);
    const millis = (id: string) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(millis(first[0] as string)).toBeGreaterThanOrEqual(before);
    expect(millis(later)).toBeLessThanOrEqual(Date.now());
    expect(first.every((id) => id < later)).toBe(true);
  });

  it('fractions are uniform draws in [0, 1): every tenth of the range about equally often', () => {
    const draws = Array.from({ length: 20_000 }, () => cryptoRandom.fraction());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const tenths = new Array(10).fill(0);
    for (const f of draws) tenths[Math.floor(f * 10)]++;
    // 2,000 expected in each; 1,700..2,300 is far outside chance.
    expect(Math.min(...tenths)).toBeGreaterThan(1_700);
    expect(Math.max(...tenths)).toBeLessThan(2_300);
  });
});
