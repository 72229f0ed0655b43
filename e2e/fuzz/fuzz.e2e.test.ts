import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzReport } from './report.js';
import { type FuzzResult, runFuzz } from './run-fuzz.js';
import { type Engine, type FuzzSession, startFuzzSession } from './session.js';

/**
 * Issue 20's fuzz suite: requests generated from every route's schema (types, lengths, control
 * characters, unicode, nesting, prototype keys, content types, forged and genuine credentials),
 * plus malformed HTTP and WebSocket handshakes on bare sockets, at the real server over real HTTP on
 * each engine. No answer may be a 5xx, lack the contract's shape or echo a secret, and the server
 * must still be up afterwards. `FUZZ_REQUESTS` sets the count per engine (CI: 20,000);
 * `FUZZ_REPORT` names a Markdown file to write the figures to (bench/tools/fuzz.mjs sets both).
 */

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 20_000);
const LANES = Number(process.env.FUZZ_LANES ?? 8);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const ENGINES = (process.env.FUZZ_ENGINES ?? 'sqlite,postgres').split(',') as Engine[];
const runs = new Map<Engine, { session: FuzzSession; result: FuzzResult }>();

// The engines are fuzzed side by side: each server has its own process, and on two cores the run
// takes about the time of one engine alone.
beforeAll(
  async () => {
    await Promise.all(
      ENGINES.map(async (engine) => {
        const session = await startFuzzSession(engine, serverEnv());
        runs.set(engine, { session, result: await runFuzz(session, { requests: REQUESTS, lanes: LANES, seed: SEED }) });
      }),
    );
    const target = process.env.FUZZ_REPORT;
    const results = ENGINES.flatMap((engine) => {
      const run = runs.get(engine);
      return run ? [{ engine, result: run.result }] : [];
    });
    if (target) await writeFile(target, fuzzReport(results, { seed: SEED, lanes: LANES }));
  },
  // Minutes for the CI run; the bench run's 100,000 requests take longer on a shared machine.
  Math.max(900_000, REQUESTS * 50),
);

afterAll(async () => {
  await Promise.all([...runs.values()].map(({ session }) => session.close()));
});

describe.each(ENGINES)('fuzzing every route on %s', (engine) => {
  const run = () => {
    const found = runs.get(engine);
    if (!found) throw new Error(`no fuzz run on ${engine}`);
    return found;
  };

  it(`answers ${REQUESTS} fuzzed requests (seed ${SEED}) with no 5xx, the contract's shape and no secret`, () => {
    const { result } = run();
    expect(result.failures).toEqual([]);
    expect(result.serverErrors).toBe(0);
    expect(result.requests).toBeGreaterThanOrEqual(REQUESTS * 0.9);
  });

  it("keeps the server's peak resident memory under the soak's 200 MB", () => {
    expect(run().result.residentPeakMb).toBeLessThan(200);
  });

  it('is still up afterwards and its log holds none of the credentials used', () => {
    const { session, result } = run();
    expect(result.crashed).toBe(false);
    const output = session.server.output();
    for (const secret of [session.clientSecret, session.accessToken, ...session.authTokens]) {
      expect(output).not.toContain(secret);
    }
  });
});

/** `FUZZ_SERVER_ENV='A=1 B=2'` adds to the server's environment (to compare settings). */
function serverEnv(): Record<string, string> {
  const pairs = (process.env.FUZZ_SERVER_ENV ?? '').split(' ').filter(Boolean);
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}
