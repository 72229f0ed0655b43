import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserDevice } from '../../test-support/browser-device.js';
import { DEFAULT_PG_TEST_URL } from '../../test-support/postgres.js';
import { makePostgresTestStore } from '../../test-support/stores.js';
import { createTestServer, readAuthClaims, type TestServer } from '../../test-support/test-server.js';

// Needs PostgreSQL at PG_TEST_URL (default postgres://postgres@127.0.0.1:5432/test).

const PHONE = '+12025550143';
const PG_PORT = Number(new URL(process.env.PG_TEST_URL ?? DEFAULT_PG_TEST_URL).port || 5432);

/**
 * Every round trip to PostgreSQL costs the server's event loop a socket write (which wakes the
 * database's process), a read and a parse: most of what a flow step costs on PostgreSQL. This
 * pins, per step of a mobile flow, the statements the store runs and the writes it makes to the
 * database (a write that carries several statements is one round trip), so that a change that
 * adds one is seen. The flow-event bus is the in-process one here: on PostgreSQL without Redis a
 * verified flow also costs one NOTIFY, on a connection of its own, off the request path.
 */
describe('PostgreSQL round trips per flow step', () => {
  let t: TestServer;
  let token: string;
  const statements: string[] = [];
  let writes = 0;
  const original = {
    query: pg.Client.prototype.query,
    write: net.Socket.prototype._write,
    writev: net.Socket.prototype._writev,
  };

  beforeAll(async () => {
    t = await createTestServer({ store: makePostgresTestStore });
    token = (await t.newClient()).accessToken;
    pg.Client.prototype.query = function (this: pg.Client, ...args: any[]): any {
      statements.push(String(typeof args[0] === 'string' ? args[0] : args[0]?.text).trim());
      return (original.query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original.query;
    const countWrite = <F extends (...a: never[]) => unknown>(write: F) =>
      function (this: net.Socket, ...args: Parameters<F>) {
        if (this.remotePort === PG_PORT) writes += 1;
        return write.apply(this, args);
      } as unknown as F;
    net.Socket.prototype._write = countWrite(original.write);
    net.Socket.prototype._writev = countWrite(original.writev as NonNullable<typeof original.writev>);
  });

  afterAll(async () => {
    pg.Client.prototype.query = original.query;
    net.Socket.prototype._write = original.write;
    net.Socket.prototype._writev = original.writev;
    await t.close();
  });

  async function measured<T>(step: () => Promise<T>): Promise<{ value: T; statements: number; writes: number }> {
    statements.length = 0;
    writes = 0;
    const value = await step();
    return { value, statements: statements.length, writes };
  }

  async function mobileFlow() {
    const started = await measured(() => t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token));
    const { authToken, correlationId } = started.value.body;
    const device = new BrowserDevice();
    const registered = await measured(() =>
      t.post('/v1/client/device/passive/register', device.registerBody(readAuthClaims(authToken).auth.chlg), authToken),
    );
    const otpStarted = await measured(() => t.post('/v1/client/mobile/otp/start', {}, authToken));
    const delivered = await measured(() => t.latestSms(PHONE));
    const finished = await measured(() =>
      t.post('/v1/client/mobile/otp/finish', { otp: delivered.value?.code }, authToken),
    );
    const status = await measured(() => t.post('/v3/unify-status', { correlationId }, token));
    expect(finished.value.body).toEqual({ next: 'done' });
    expect(status.value.body.success).toBe('true');
    const count = ({ statements, writes }: { statements: number; writes: number }) => ({ statements, writes });
    return {
      unify: count(started),
      register: count(registered),
      otpStart: count(otpStarted),
      dispatchAndInboxRead: count(delivered),
      otpFinish: count(finished),
      status: count(status),
    };
  }

  it('a mobile flow makes 23 round trips to PostgreSQL, each step as pinned here', async () => {
    await mobileFlow(); // Connections opened and statements prepared.
    const steps = await mobileFlow();
    expect(steps).toEqual({
      // The client's row (read through on PostgreSQL: another node may delete it), the new flow.
      unify: { statements: 2, writes: 2 },
      // The flow; BEGIN and the key's insert with the attach; COMMIT. (One statement doing both, a
      // data-modifying CTE, measured no faster in the flow scenario: bench/results.)
      register: { statements: 5, writes: 3 },
      // The flow; BEGIN with the wrong-code read; the send budget; the flow's send; the outbox row with COMMIT.
      otpStart: { statements: 7, writes: 5 },
      // The claim; the dev inbox; BEGIN, the attempt log and the outcome with COMMIT; the inbox read.
      dispatchAndInboxRead: { statements: 7, writes: 4 },
      // The flow; BEGIN with the counted attempt; the guess budgets; the release and the prove id's
      // insert-if-new with its read; the device bound; the code consumed; COMMIT.
      otpFinish: { statements: 10, writes: 7 },
      // The client's row, the verdict.
      status: { statements: 2, writes: 2 },
    });
    const total = Object.values(steps).reduce((sum, step) => sum + step.writes, 0);
    expect(total).toBe(23);
  });
});
