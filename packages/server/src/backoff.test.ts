import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';
import { cryptoRandom } from './crypto/random.js';

const policy = { firstMs: 1_000, maxMs: 10_000 };
const lowest = () => 0;
const highest = () => 1 - 2 ** -48;

describe('backoffDelayMs', () => {
  it('doubles from the first wait per failure, up to the longest', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, policy, highest))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('draws each wait between half and all of its step', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelayMs(attempt, policy, lowest))).toEqual([
      500, 1_000, 2_000, 4_000, 5_000,
    ]);
    expect(backoffDelayMs(2, policy, () => 0.5)).toBe(1_500);
  });

  it('with real randomness, waits spread over the whole range and stay inside it', () => {
    const waits = Array.from({ length: 2_000 }, () => backoffDelayMs(3, policy, cryptoRandom.fraction));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...waits)).toBeLessThanOrEqual(4_000);
    // Retries after one outage do not arrive together: both halves of the range are used.
    expect(waits.some((w) => w < 2_500)).toBe(true);
    expect(waits.some((w) => w > 3_500)).toBe(true);
  });

  it('stays finite for absurd attempt counts, and treats 0 or less as the first retry', () => {
    expect(backoffDelayMs(10_000, policy, highest)).toBe(10_000);
    expect(backoffDelayMs(0, policy, highest)).toBe(1_000);
  });
});
