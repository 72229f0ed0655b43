import WebSocket from 'ws';
import type { Node } from './two-nodes.js';

/** The first frame a status socket received, and when (`performance.now()`). */
export interface ReceivedFrame {
  text: string;
  at: number;
}

/**
 * What an integrator's backend, a desktop browser and a phone do against two nodes, over real
 * HTTP and WebSocket: flows start on node A and its dev inbox is read there; the caller picks the
 * node each later step lands on.
 */
export function twoNodeClient(nodes: { a: Node; b: Node }, accessToken: string, targetOrigin: string) {
  const postJson = async (url: string, body: unknown, bearer: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify(body),
    });
    return (await response.json()) as Record<string, any>;
  };

  /** Delivers what node A queued and returns the newest dev-inbox message to `phoneNumber`. */
  const latestSms = async (phoneNumber: string): Promise<string> => {
    await nodes.a.server.dispatcher.runOnce();
    const inbox = await fetch(`${nodes.a.url}/dev/inbox/messages?to=${encodeURIComponent(phoneNumber)}&limit=1`);
    const [message] = (await inbox.json()) as { body: string }[];
    return message?.body ?? '';
  };

  return {
    postJson,
    latestSms,

    /** Starts a desktop flow through node A; returns its authToken and the Instant Link's path. */
    async sentLink(phoneNumber: string) {
      const started = await postJson(
        `${nodes.a.url}/v3/unify`,
        { possessionType: 'desktop', phoneNumber, finalTargetUrl: `${targetOrigin}/done` },
        accessToken,
      );
      const authToken = started.authToken as string;
      await postJson(
        `${nodes.a.url}/v1/client/mobile/instantlink/start`,
        { sourceIp: null, isMobile: false },
        authToken,
      );
      const path = /\/il\/[A-Za-z0-9_-]+/.exec(await latestSms(phoneNumber))?.[0];
      if (!path) throw new Error('no Instant Link in the inbox');
      return { authToken, path };
    },

    /** Opens the desktop's status socket on node A (resolves once open); `frame` is its first frame. */
    async openStatusSocket(authToken: string) {
      const socket = new WebSocket(`${nodes.a.url.replace('http', 'ws')}/v1/client/status?token=${authToken}`);
      const frame = new Promise<ReceivedFrame>((resolve, reject) => {
        socket.once('message', (data) => resolve({ text: data.toString(), at: performance.now() }));
        socket.once('error', reject);
      });
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      return { socket, frame };
    },

    /** Taps the Instant Link on node B, as the phone's browser would; returns the redirect. */
    async tapOnB(path: string): Promise<string | null> {
      const response = await fetch(`${nodes.b.url}${path}`, { method: 'POST', redirect: 'manual' });
      return response.headers.get('location');
    },
  };
}

/** The frame, or undefined if none came within `timeoutMs`. */
export function frameWithin(frame: Promise<ReceivedFrame>, timeoutMs: number): Promise<ReceivedFrame | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  return Promise.race([frame, timeout]).finally(() => clearTimeout(timer));
}
