import { randomBytes } from 'node:crypto';
import { Type } from 'typebox';
import { type TapInstantLinkDeps, tapInstantLink } from '../../flows/instant-link.js';
import { confirmPage, messagePage, pageSecurityHeaders } from '../pages/link-pages.js';
import { errorResponses, textResponse } from '../schemas/errors.js';
import type { TypedApp } from '../typed-app.js';

const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * The Instant Link landing (contract §4). GET and HEAD only show the confirm page and never
 * consume; POST is the tap and answers 303 to the integrator's `finalTargetUrl` with `authId` and
 * `asc`. The target was checked against the client's redirect origins when the flow started, so
 * nothing a link visitor sends can choose where it redirects.
 */
export function instantLinkRoutes(app: TypedApp, deps: TapInstantLinkDeps): void {
  // The confirm form posts an empty urlencoded body; its content is never read.
  app.addContentTypeParser('application/x-www-form-urlencoded', { bodyLimit: 1024 }, (_request, _body, done) =>
    done(null, {}),
  );

  const params = Type.Object({ token: Type.String({ description: 'The link token from the SMS.' }) });
  const tags = ['Instant Link'];
  const page = (description: string) => textResponse(description, 'text/html');
  const linkGone = page('The link is unknown, replaced by a newer one, or malformed.');
  app.get(
    '/il/:token',
    {
      schema: {
        operationId: 'instantLinkPage',
        tags,
        summary: 'The link in the SMS: a page that confirms with a POST',
        description: 'Never consumes the link (message previews and link scanners fetch it); HEAD neither.',
        params,
        response: { 200: page('The confirm page; a real browser posts it at once.'), 404: linkGone },
      },
    },
    async function showConfirmPage(request, reply) {
      const nonce = randomBytes(16).toString('base64');
      reply.headers(pageSecurityHeaders(nonce));
      if (!TOKEN.test(request.params.token)) return reply.status(404).send(notFound(nonce));
      return confirmPage(nonce, `/il/${request.params.token}`);
    },
  );

  app.post(
    '/il/:token',
    {
      schema: {
        operationId: 'instantLinkTap',
        tags,
        summary: 'The tap: proves possession and redirects to finalTargetUrl',
        description:
          'Single use. Notifies every waiting status socket, then 303 to `finalTargetUrl` with `authId` and `asc=true` (`asc=false` for an expired or used link).',
        params,
        response: {
          200: page('Verified or expired, for a flow without a target to return to.'),
          303: { description: 'To `finalTargetUrl?authId=<auth.id>&asc=true|false`.', type: 'null' },
          404: linkGone,
          ...errorResponses(500, 503),
        },
      },
    },
    async function tapLink(request, reply) {
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
    },
  );
}

const notFound = (nonce: string) =>
  messagePage(nonce, 'This link is not valid', 'It may have been replaced by a newer link. Check your latest message.');
