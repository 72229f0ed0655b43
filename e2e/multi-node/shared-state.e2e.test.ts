import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserDevice } from '../../packages/server/src/test-support/browser-device.js';
import { postJson, waitFor } from '../support.js';
import { type Cluster, startCluster } from './cluster.js';

/**
 * What nodes keep or own must hold across them: key rotation, client changes, the dispatcher
 * (every node runs one), the send budgets and the wrong-code cap under concurrency. Requests go
 * through HAProxy (round robin), or straight to each node where the test says so.
 */

const SEND_LIMIT = 5;
const WRONG_CODE_LIMIT = 3;

describe('state shared by three nodes', () => {
  let cluster: Cluster;
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    cluster = await startCluster({
      nodes: 3,
      env: {
        LOG_LEVEL: 'warn',
        PHONE_SEND_LIMIT: String(SEND_LIMIT),
        PHONE_FAILED_CODE_LIMIT: String(WRONG_CODE_LIMIT),
        // Maintenance reloads the signing keys on this beat.
        CLEANUP_INTERVAL_SECONDS: '1',
      },
    });
    client = JSON.parse(await cluster.node(0).cli('clients', 'create', '--name', 'shared', '--json'));
  });
  afterAll(() => cluster?.close());

  const tokenFrom = async (url: string) =>
    (
      await postJson(`${url}/token`, {
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.clientSecret,
      })
    ).body.access_token as string;
  const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).kid;

  it('after `keys rotate` on one node, every node signs with the new key within the maintenance beat, and all verify both', async () => {
    const before = await tokenFrom(cluster.node(0).url);
    await cluster.node(0).cli('keys', 'rotate');
    const newKid = await waitFor(
      'every node signing with one new key',
      async () => {
        const kids = await Promise.all(cluster.nodes.map(async (node) => kidOf(await tokenFrom(node.url))));
        return kids.every((kid) => kid === kids[0] && kid !== kidOf(before)) ? kids[0] : undefined;
      },
      10_000,
    );
    expect(newKid).toBeDefined();
    const after = await tokenFrom(cluster.url);
    for (const node of cluster.nodes) {
      for (const token of [before, after]) {
        const answer = await postJson(`${node.url}/v3/unify`, { possessionType: 'none' }, token);
        expect(answer.status, node.url).toBe(200);
      }
    }
  });

  it("a client's rotated secret and its deletion are seen by every node at once", async () => {
    const other = JSON.parse(await cluster.node(1).cli('clients', 'create', '--name', 'doomed', '--json'));
    const token = (
      await postJson(`${cluster.url}/token`, {
        grant_type: 'client_credentials',
        client_id: other.clientId,
        client_secret: other.clientSecret,
      })
    ).body.access_token;
    await cluster.node(0).cli('clients', 'rotate-secret', other.clientId);
    for (const node of cluster.nodes) {
      const old = await postJson(`${node.url}/token`, {
        grant_type: 'client_credentials',
        client_id: other.clientId,
        client_secret: other.clientSecret,
      });
      expect(old.status, node.url).toBe(401);
    }
    await cluster.node(0).cli('clients', 'delete', other.clientId);
    for (const node of cluster.nodes) {
      expect((await postJson(`${node.url}/v3/unify`, { possessionType: 'none' }, token)).status, node.url).toBe(401);
    }
  });

  async function mobileFlow(phone: string, accessToken: string) {
    const start = await postJson(
      `${cluster.url}/v3/unify`,
      { possessionType: 'mobile', phoneNumber: phone },
      accessToken,
    );
    const { authToken, correlationId } = start.body;
    const chlg = JSON.parse(atob(authToken.split('.')[1])).auth.chlg;
    await postJson(
      `${cluster.url}/v1/client/device/passive/register`,
      new BrowserDevice().registerBody(chlg),
      authToken,
    );
    return { authToken, correlationId };
  }

  it('every node dispatches, and of 45 messages queued across them each is sent exactly once', async () => {
    const accessToken = await tokenFrom(cluster.url);
    const phones = Array.from({ length: 45 }, (_, i) => `+1202555${4000 + i}`);
    await Promise.all(
      phones.map(async (phone) => {
        const flow = await mobileFlow(phone, accessToken);
        const sent = await postJson(`${cluster.url}/v1/client/mobile/otp/start`, {}, flow.authToken);
        expect(sent.body).toEqual({ next: '' });
      }),
    );
    const counts = await waitFor(
      'every message delivered',
      async () => {
        const each = await Promise.all(
          phones.map(async (phone) => {
            const response = await fetch(`${cluster.url}/dev/inbox/messages?to=${encodeURIComponent(phone)}`);
            return ((await response.json()) as unknown[]).length;
          }),
        );
        return each.every((n) => n >= 1) ? each : undefined;
      },
      20_000,
    );
    // A second look after the dispatchers' next passes: still one each.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(counts).toEqual(phones.map(() => 1));
  });

  it(`the per-number send limit is exact across nodes: of 20 concurrent sends to one number, ${SEND_LIMIT} go out`, async () => {
    const accessToken = await tokenFrom(cluster.url);
    const phone = '+12025554500';
    const flows = await Promise.all(Array.from({ length: 20 }, () => mobileFlow(phone, accessToken)));
    const answers = await Promise.all(
      flows.map((flow) => postJson(`${cluster.url}/v1/client/mobile/otp/start`, {}, flow.authToken)),
    );
    const sent = answers.filter((answer) => answer.body.next === '' && !answer.body.data);
    expect(sent).toHaveLength(SEND_LIMIT);
    expect(answers.filter((answer) => answer.body.data?.code === 1005)).toHaveLength(20 - SEND_LIMIT);
  });

  it(`the wrong-code cap is exact across nodes: of ${SEND_LIMIT} concurrent wrong entries for one number, ${WRONG_CODE_LIMIT} are checked`, async () => {
    const accessToken = await tokenFrom(cluster.url);
    const phone = '+12025554600';
    const flows = [];
    for (let i = 0; i < SEND_LIMIT; i += 1) {
      const flow = await mobileFlow(phone, accessToken);
      expect((await postJson(`${cluster.url}/v1/client/mobile/otp/start`, {}, flow.authToken)).body).toEqual({
        next: '',
      });
      flows.push(flow);
    }
    const sentCodes = await waitFor(`${SEND_LIMIT} codes to ${phone}`, async () => {
      const response = await fetch(`${cluster.url}/dev/inbox/messages?to=${encodeURIComponent(phone)}`);
      const messages = (await response.json()) as { body: string }[];
      return messages.length === SEND_LIMIT ? messages.map((m) => /\b(\d{4})\b/.exec(m.body)?.[1]) : undefined;
    });
    // A code none of the flows was sent, so every entry is wrong.
    const wrong = ['1111', '2222', '3333', '4444', '5555', '6666'].find((code) => !sentCodes.includes(code));
    const entries = await Promise.all(
      flows.map((flow, i) =>
        // Straight to each node in turn, so the entries are spread over all three.
        postJson(`${cluster.node(i % 3).url}/v1/client/mobile/otp/finish`, { otp: wrong }, flow.authToken),
      ),
    );
    const checked = entries.filter((entry) => entry.body.error?.code === 10005);
    const paused = entries.filter((entry) => entry.body.data?.code === 1102);
    expect(checked).toHaveLength(WRONG_CODE_LIMIT);
    expect(paused).toHaveLength(SEND_LIMIT - WRONG_CODE_LIMIT);
  });
});
