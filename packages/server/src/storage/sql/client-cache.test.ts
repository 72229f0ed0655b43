import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../clock.js';
import { createClient } from '../../oauth/clients.js';
import { openStore } from '../open-store.js';
import type { Store } from '../ports.js';

/**
 * The SQLite client cache against a second connection to the same file, as the CLI is to a running
 * server: its writes must be seen at once.
 */
describe('client cache (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'client-cache-'));
  const url = `sqlite:${join(dir, 'p.db')}`;
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function pair() {
    const server = openStore({ databaseUrl: url });
    await server.migrate();
    const cli = openStore({ databaseUrl: url });
    stores.push(server, cli);
    return { server, cli };
  }

  const aMillisecond = () => new Promise((resolve) => setTimeout(resolve, 2));

  it('a client deleted by another connection is gone within a millisecond', async () => {
    const { server, cli } = await pair();
    const { clientId } = await createClient(cli, manualClock(0), { name: 'a', redirectOrigins: [] });
    expect((await server.clients.findClient(clientId))?.id).toBe(clientId);
    expect((await server.clients.findClient(clientId))?.id).toBe(clientId);
    expect(await cli.clients.deleteClient(clientId)).toBe(true);
    await aMillisecond();
    expect(await server.clients.findClient(clientId)).toBeUndefined();
  });

  it('a secret rotated by another connection is read anew within a millisecond', async () => {
    const { server, cli } = await pair();
    const { clientId } = await createClient(cli, manualClock(0), { name: 'a', redirectOrigins: [] });
    const before = await server.clients.findClient(clientId);
    expect(await cli.clients.updateClientSecret(clientId, 'new-hash', 5)).toBe(true);
    await aMillisecond();
    const after = await server.clients.findClient(clientId);
    expect(after?.secretHash).toBe('new-hash');
    expect(after?.secretHash).not.toBe(before?.secretHash);
  });

  it('its own deletes and rotations are seen at once too', async () => {
    const { server } = await pair();
    const { clientId } = await createClient(server, manualClock(0), { name: 'a', redirectOrigins: [] });
    await server.clients.findClient(clientId);
    await server.clients.updateClientSecret(clientId, 'rotated', 1);
    expect((await server.clients.findClient(clientId))?.secretHash).toBe('rotated');
    await server.clients.deleteClient(clientId);
    expect(await server.clients.findClient(clientId)).toBeUndefined();
  });
});
