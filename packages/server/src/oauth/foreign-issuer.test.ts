import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_AUDIENCE } from '../flows/auth-token.js';
import { makeSqliteTestStore, type TestStore } from '../test-support/stores.js';
import { createTestServer, type TestServer } from '../test-support/test-server.js';
import { flowTokens } from './flow-token.js';

const SECRET = 'a shared server secret of at least thirty-two characters';

/**
 * Two nodes on one database whose PUBLIC_URLs differ: each refuses the other's tokens (they name
 * another issuer), and the operator is told why in the log rather than only "invalid".
 */
describe('a node whose PUBLIC_URL differs from the issuing node', () => {
  let shared: TestStore;
  let nodeA: TestServer;
  let nodeB: TestServer;

  beforeAll(async () => {
    shared = await makeSqliteTestStore();
    const sharedStore = async () => ({ store: shared.store, cleanup: async () => undefined });
    nodeA = await createTestServer({ store: sharedStore, config: { publicUrl: 'https://verify.example' } });
    nodeB = await createTestServer({ store: sharedStore, config: { publicUrl: 'https://other.example' } });
  });
  afterAll(async () => {
    await nodeA.close();
    await nodeB.close();
    await shared.cleanup();
  });

  const warnings = (node: TestServer) =>
    node.logs.map((line) => JSON.parse(line)).filter((line) => /another PUBLIC_URL/.test(line.msg));

  it("refuses the other node's access token and logs both origins", async () => {
    const { accessToken } = await nodeA.newClient();
    const response = await nodeB.post('/v3/unify', { possessionType: 'none' }, accessToken);
    expect(response.status).toBe(401);
    expect(warnings(nodeB)).toEqual([
      expect.objectContaining({ tokenIssuer: 'https://verify.example', publicUrl: 'https://other.example' }),
    ]);
  });

  it("refuses the other node's authToken (signed with the shared secret) and names its issuer", () => {
    const heard: unknown[] = [];
    const issuing = flowTokens(SECRET, 'https://verify.example', nodeA.clock);
    const other = flowTokens(SECRET, 'https://other.example', nodeA.clock, (issuer) => heard.push(issuer));
    const exp = Math.floor(nodeA.clock.now() / 1000) + 60;
    const token = issuing.mint({
      iss: 'https://verify.example',
      aud: DEVICE_AUDIENCE,
      sub: 'flow',
      iat: exp - 60,
      exp,
    });
    expect(issuing.verify(token, DEVICE_AUDIENCE)).toBeDefined();
    expect(other.verify(token, DEVICE_AUDIENCE)).toBeUndefined();
    expect(heard).toEqual(['https://verify.example']);
  });
});
