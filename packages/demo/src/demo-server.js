import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { landedPage, mainPage } from './pages.js';
import { PocketproofUnreachable, pocketproofApi } from './pocketproof-api.js';

/**
 * The demo: a small integrator app on its own origin, as in production. Its backend (this file)
 * calls Pocketproof's `/token` and `/v3/*` over HTTP with client credentials; its page loads the
 * SDK from the Pocketproof server (cross-origin) and runs the three possession types.
 *
 * Routes: `GET /` the page, `GET /demo.js` and `/demo.css` its assets, `GET /landed` where the
 * phone lands after tapping an Instant Link, and a JSON backend the page calls:
 * `POST /api/start` → `/v3/unify`, `POST /api/status` → `/v3/unify-status`,
 * `POST /api/bind` → `/v3/unify-bind`.
 */

const ASSETS = {
  '/demo.js': { file: new URL('../public/demo.js', import.meta.url), type: 'text/javascript; charset=utf-8' },
  '/demo.css': { file: new URL('../public/demo.css', import.meta.url), type: 'text/css; charset=utf-8' },
};
const POSSESSION_TYPES = ['mobile', 'desktop', 'none'];
const MAX_BODY_BYTES = 4096;

/**
 * @param {import('./demo.js').DemoOptions} options
 * @returns {Promise<import('./demo.js').RunningDemo>}
 */
export async function startDemo(options) {
  const { port, host = '127.0.0.1', clientId, clientSecret, logger } = options;
  const pocketproofUrl = new URL(options.pocketproofUrl).origin;
  const api = pocketproofApi({ apiUrl: options.apiUrl ?? pocketproofUrl, clientId, clientSecret });
  /** @type {Record<string, string>} */
  const assets = {};
  for (const [path, asset] of Object.entries(ASSETS)) assets[path] = readFileSync(asset.file, 'utf8');
  let origin = options.publicUrl ? new URL(options.publicUrl).origin : '';

  /** @type {{ value: Promise<string | undefined>, at: number } | undefined} */
  let integrity;
  const sdkIntegrity = () => {
    // The SDK changes only when the server restarts; a short memo keeps page loads cheap.
    if (!integrity || Date.now() - integrity.at > 10_000) integrity = { value: api.sdkIntegrity(), at: Date.now() };
    return integrity.value;
  };

  /** @type {Record<string, (body: any) => Promise<{ status: number, body: unknown }>>} */
  const actions = {
    async '/api/start'(body) {
      const { possessionType, phoneNumber, allowOTPRetry } = body;
      if (!POSSESSION_TYPES.includes(possessionType)) return invalid('possessionType must be mobile, desktop or none');
      if (phoneNumber !== undefined && (typeof phoneNumber !== 'string' || phoneNumber.length > 32)) {
        return invalid('phoneNumber must be a string');
      }
      // What an integrator's backend sends: the phone only when it already knows it (else the SDK
      // asks), where the phone lands after an Instant Link, and its own id for this attempt.
      const request = {
        possessionType,
        ...(phoneNumber ? { phoneNumber } : {}),
        ...(possessionType === 'desktop' ? { finalTargetUrl: `${origin}/landed` } : {}),
        ...(possessionType === 'mobile' && allowOTPRetry === true ? { allowOTPRetry: true } : {}),
        clientRequestId: `demo-${randomUUID().slice(0, 8)}`,
      };
      const answer = await api.unify(request);
      if (!answer.ok) return answer;
      return {
        status: 200,
        body: { correlationId: answer.body.correlationId, authToken: answer.body.authToken, request },
      };
    },
    async '/api/status'(body) {
      if (typeof body.correlationId !== 'string') return invalid('correlationId is required');
      return api.status(body.correlationId);
    },
    async '/api/bind'(body) {
      if (typeof body.correlationId !== 'string') return invalid('correlationId is required');
      if (typeof body.phoneNumber !== 'string' || !body.phoneNumber) return invalid('phoneNumber is required');
      return api.bind(body.correlationId, body.phoneNumber);
    },
  };

  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://demo.invalid');
      const action = actions[url.pathname];
      if (action && request.method !== 'POST') {
        response.setHeader('Allow', 'POST');
        return sendJson(response, 405, { message: 'use POST' });
      }
      if (action) {
        const body = await readJson(request);
        if (body === undefined)
          return sendJson(response, 400, { message: 'send a JSON object (Content-Type: application/json)' });
        const answer = await action(body);
        return sendJson(response, answer.status, answer.body);
      }
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return sendJson(response, 405, { message: 'method not allowed' });
      if (url.pathname === '/') {
        const nonce = randomBytes(16).toString('base64');
        const wsUrl = pocketproofUrl.replace(/^http/, 'ws');
        return send(
          response,
          200,
          'text/html; charset=utf-8',
          mainPage({ nonce, pocketproofUrl, integrity: await sdkIntegrity() }),
          {
            'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${pocketproofUrl} ${wsUrl}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
          },
        );
      }
      if (url.pathname === '/landed') {
        const page = landedPage({
          asc: url.searchParams.get('asc'),
          authId: url.searchParams.get('authId'),
          pocketproofUrl,
        });
        return send(response, 200, 'text/html; charset=utf-8', page, {
          'Content-Security-Policy':
            "default-src 'none'; style-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        });
      }
      const asset = assets[url.pathname];
      if (asset !== undefined)
        return send(response, 200, ASSETS[/** @type {keyof typeof ASSETS} */ (url.pathname)].type, asset);
      if (url.pathname === '/healthz') return sendJson(response, 200, { ok: true });
      return sendJson(response, 404, { message: 'not found' });
    } catch (error) {
      if (error instanceof PocketproofUnreachable) {
        logger?.warn({ err: error }, 'demo: Pocketproof call failed');
        return sendJson(response, 502, { message: error.message });
      }
      logger?.error({ err: error }, 'demo: request failed');
      if (!response.headersSent) sendJson(response, 500, { message: 'the demo backend failed; see the server log' });
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  origin ||= `http://localhost:${boundPort}`;
  logger?.info({ url: origin, pocketproofUrl }, 'demo app listening');

  return {
    url: origin,
    port: boundPort,
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** @param {string} message */
const invalid = (message) => ({ status: 400, body: { message } });

/**
 * @param {import('node:http').IncomingMessage} request
 * @returns {Promise<Record<string, unknown> | undefined>}
 */
async function readJson(request) {
  // A JSON content type also makes a cross-site form post impossible without a CORS preflight.
  if (!String(request.headers['content-type']).startsWith('application/json')) return undefined;
  let size = 0;
  const chunks = [];
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @param {import('node:http').ServerResponse} response @param {number} status @param {string} type
 * @param {string} body @param {Record<string, string>} [headers]
 */
function send(response, status, type, body, headers = {}) {
  response.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...headers,
  });
  response.end(body);
}

/** @param {import('node:http').ServerResponse} response @param {number} status @param {unknown} body */
function sendJson(response, status, body) {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(body));
}
