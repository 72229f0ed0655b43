import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startCli } from '../support.js';
import { startSettings } from './session.js';

/**
 * Issue 20, item 9: resident memory under hostile load rose by ~100 MB and stayed there. The holder
 * was glibc: each client-secret check is a 16 MB scrypt on one of libuv's threads, and after the
 * first was freed glibc raised its mmap threshold past 16 MB, so every thread that ran one kept
 * the 16 MB in its own malloc arena. Started as `npm start` starts it, the server returns them.
 */

const GROWTH_LIMIT_MB = 24;

async function residentMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

describe('client-secret checks do not stay resident', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startCli(startSettings());
  });
  afterAll(() => server?.stop());

  const wrongSecret = () =>
    fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'pp_unknown', client_secret: 'x' }),
    }).then((response) => response.status);

  it(`40 scrypt checks, spread over libuv's threads, leave resident memory within ${GROWTH_LIMIT_MB} MB of the start`, async () => {
    // The first check also makes the decoy hash; measure from after it.
    expect(await wrongSecret()).toBe(401);
    const before = await residentMb(server.pid);
    // Two at a time, so more than one of libuv's threads runs them.
    for (let i = 0; i < 20; i++) expect(await Promise.all([wrongSecret(), wrongSecret()])).toEqual([401, 401]);
    const growth = (await residentMb(server.pid)) - before;
    expect(growth).toBeLessThan(GROWTH_LIMIT_MB);
  });
});
