import { describe, expect, it } from 'vitest';
import { describeWait, describeWindow } from './wait-words.js';

describe('refusal durations in words', () => {
  it('a wait is rounded up, never to zero', () => {
    expect(describeWait(0)).toBe('1 second');
    expect(describeWait(1)).toBe('1 second');
    expect(describeWait(59)).toBe('59 seconds');
    expect(describeWait(90)).toBe('90 seconds');
    expect(describeWait(91)).toBe('2 minutes');
    expect(describeWait(419)).toBe('7 minutes');
    expect(describeWait(5_400)).toBe('90 minutes');
    expect(describeWait(5_401)).toBe('2 hours');
    expect(describeWait(86_400)).toBe('24 hours');
    expect(describeWait(3 * 86_400)).toBe('3 days');
  });

  it('a window is named exactly, in the largest unit that divides it', () => {
    expect(describeWindow(600)).toBe('10 minutes');
    expect(describeWindow(3_600)).toBe('1 hour');
    expect(describeWindow(86_400)).toBe('1 day');
    expect(describeWindow(90)).toBe('90 seconds');
    expect(describeWindow(5_400)).toBe('90 minutes');
  });
});
