import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FlowDeps } from '../../flows/deps.js';
import { tapInstantLink } from '../../flows/instant-link.js';
import { confirmPage, messagePage, pageSecurityHeaders } from '../pages/link-pages.js';

const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * The Instant Link landing (contract §4). GET and HEAD only show the confirm page and never
 * consume; POST is the tap and answers 303 to the integrator's `finalTargetUrl` with `authId` and
 * `asc`. The target was checked against the client's redirect origins when the flow started, so
 * nothing a link visitor sends can choose where it redirects.
 */
export function instantLinkRoutes(app: FastifyInstance, deps: FlowDeps): void {
  // The confirm form posts an empty urlencoded body; its content is never read.
  app.addContentTypeParser('application/x-www-form-urlencoded', { bodyLimit: 1024 }, (_request, _body, done) =>
    done(null, {}),
  );

  app.get<{ Params: { token: string } }>('/il/:token', async (request, reply) => {
    const nonce = randomBytes(16).toString('base64');
    reply.headers(pageSecurityHeaders(nonce));
    if (!TOKEN.test(request.params.token)) return reply.status(404).send(notFound(nonce));
    return confirmPage(nonce, `/il/${request.params.token}`);
  });

  app.post<{ Params: { token: string } }>('/il/:token', async (request, reply) => {
    const nonce = randomBytes(16).toString('base64');
    const tap = TOKEN.test(request.params.token)
      ? await tapInstantLink(deps, request.params.token)
      : ({ outcome: 'unknown' } as const);
    if (tap.outcome === 'redirect') {
      return reply
        .header('Cache-Control', 'no-store')
        .header('Referrer-Policy', 'no-referrer')
        .redirect(tap.location, 303);
    }
    reply.headers(pageSecurityHeaders(nonce));
    if (tap.outcome === 'unknown') return reply.status(404).send(notFound(nonce));
    return tap.verified
      ? messagePage(nonce, 'Verified', 'You can close this page and continue on your computer.')
      : messagePage(nonce, 'This link has expired', 'Go back to your computer and ask for a new link.');
  });
}

const notFound = (nonce: string) =>
  messagePage(nonce, 'This link is not valid', 'It may have been replaced by a newer link. Check your latest message.');
