import { describe, expect, it } from 'vitest';
import { GATE_FULL, SecretCheckGate } from './secret-check-gate.js';

/** A check that finishes when the test says so, counting how many run at the same moment. */
function controlledChecks() {
  let now = 0;
  let most = 0;
  const finishers: Array<() => void> = [];
  const check = () =>
    new Promise<string>((resolve) => {
      now++;
      most = Math.max(most, now);
      finishers.push(() => {
        now--;
        resolve('checked');
      });
    });
  return { check, finishers, most: () => most, running: () => now };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('secret check gate', () => {
  it('never runs more checks at once than its limit, whatever arrives together', async () => {
    const gate = new SecretCheckGate({ running: 2, waiting: 100 });
    const c = controlledChecks();
    const answers = Array.from({ length: 30 }, () => gate.run(c.check));
    for (let finished = 0; finished < 30; finished++) {
      await settle();
      expect(c.running()).toBeLessThanOrEqual(2);
      c.finishers.shift()?.();
    }
    expect(await Promise.all(answers)).toEqual(Array(30).fill('checked'));
    expect(c.most()).toBe(2);
  });

  it('refuses at once, without running it, a check beyond the line, and admits again once it moves', async () => {
    const gate = new SecretCheckGate({ running: 1, waiting: 2 });
    const c = controlledChecks();
    const admitted = [gate.run(c.check), gate.run(c.check), gate.run(c.check)];
    expect(await gate.run(c.check)).toBe(GATE_FULL);
    await settle();
    expect(c.running()).toBe(1);
    c.finishers.shift()?.();
    await settle();
    const later = gate.run(c.check);
    while (c.finishers.length > 0) {
      c.finishers.shift()?.();
      await settle();
    }
    expect(await Promise.all([...admitted, later])).toEqual(Array(4).fill('checked'));
  });

  it('a check that throws frees its slot for the next one', async () => {
    const gate = new SecretCheckGate({ running: 1, waiting: 1 });
    const failing = gate.run(() => Promise.reject(new Error('bad hash')));
    const next = gate.run(async () => 'checked');
    await expect(failing).rejects.toThrow('bad hash');
    expect(await next).toBe('checked');
    expect(await gate.run(async () => 'again')).toBe('again');
  });
});
