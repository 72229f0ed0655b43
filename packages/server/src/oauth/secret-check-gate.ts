/** What `SecretCheckGate.run` answers, without running the check, when its line is full. */
export const GATE_FULL = Symbol('secret check gate full');

/**
 * Lets at most `running` client-secret checks run at once and `waiting` more wait for a slot;
 * one beyond that is refused at once. Each check is a 16 MB scrypt, slow on purpose, on libuv's
 * thread pool, and anyone can ask `/token` for one without holding a credential. Unbounded, a
 * flood of such requests would take every core from the event loop (serving flows) and keep an
 * ever longer line of open requests; bounded, it takes `running` threads and a fixed line, and
 * the rest of the flood gets a cheap 429.
 */
export class SecretCheckGate {
  #running = 0;
  readonly #line: Array<() => void> = [];

  constructor(private readonly limits: { running: number; waiting: number }) {}

  async run<T>(check: () => Promise<T>): Promise<T | typeof GATE_FULL> {
    if (this.#running < this.limits.running) {
      this.#running++;
    } else if (this.#line.length < this.limits.waiting) {
      // The slot is handed over by the check that finishes: #running already counts this one.
      await new Promise<void>((resolve) => this.#line.push(resolve));
    } else {
      return GATE_FULL;
    }
    try {
      return await check();
    } finally {
      const next = this.#line.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
