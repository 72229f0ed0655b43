import { randomBytes } from 'node:crypto';
import { Type } from 'typebox';
import { boundedCache } from '../../bounded-cache.js';
import { apiErrors } from '../../errors/catalogue.js';
import { type FlowDeps, lookupPhone, type PhoneDeps } from '../../flows/deps.js';
import { normalisePhone } from '../../phone/parse-phone.js';
import { RECHECK_MS } from '../../sms/inbox-arrivals.js';
import type { Store } from '../../storage/ports.js';
import { inboxPage } from '../pages/inbox-page.js';
import { errorResponses, textResponse } from '../schemas/errors.js';
import type { TypedApp } from '../typed-app.js';

/** What the dev phone reads: stored messages, news of new ones, and how to read a number. */
export type DevInboxDeps = PhoneDeps & Pick<FlowDeps, 'config' | 'inboxArrivals'> & { store: Pick<Store, 'inbox'> };

const messagesSchema = Type.Array(
  Type.Object({
    id: Type.String(),
    to: Type.String({ description: 'E.164.' }),
    body: Type.String(),
    createdAt: Type.Number({ description: 'Milliseconds since the Unix epoch.' }),
  }),
  {
    description: 'Messages, newest first.',
    examples: [
      [
        {
          id: '0mh2x8k3c1',
          to: '+12025550123',
          body: '482913 is your temporary code to continue your application.',
          createdAt: 1796299200000,
        },
      ],
    ],
  },
);

/**
 * The dev phone (contract §5): only registered when developer surfaces are on. The JSON list is
 * what tests and scripts read codes from; the page shows the same messages like a phone would.
 */
export function devInboxRoutes(app: TypedApp, deps: DevInboxDeps): void {
  const recipientOf = rememberedRecipients(deps.config.defaultPhoneCountry);
  app.get(
    '/dev/inbox/messages',
    {
      // The dev phone polls this all day: its request lines are debug.
      config: { requestLogLevel: 'debug' },
      schema: {
        operationId: 'devInboxMessages',
        tags: ['Developer surfaces'],
        summary: 'Messages the dev phone received (development only)',
        description: 'Registered only with `DEV_SURFACES`. Tests and scripts read codes and links here.',
        response: { 200: messagesSchema, ...errorResponses(400, 500, 503) },
        querystring: Type.Object({
          to: Type.Optional(Type.String({ maxLength: 20 })),
          limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
          // An id from an earlier answer: only messages stored after it.
          after: Type.Optional(Type.String({ pattern: '^[0-9a-z-]{1,40}$' })),
          // Seconds to wait for a message when there is none yet (a long poll; at most 30).
          wait: Type.Optional(Type.String({ pattern: '^([0-9]|[12][0-9]|30)$' })),
        }),
      },
    },
    async function listInbox(request, reply) {
      const { to, limit, after, wait } = request.query;
      let recipient: string | undefined;
      if (to) {
        // A raw `+` in a query string decodes as a space: put it back.
        const raw = to.startsWith(' ') ? `+${to.trim()}` : to.trim();
        // In sandbox mode the recipients are the sandbox's numbers, which libphonenumber refuses.
        recipient = deps.sandbox ? lookupPhone(deps, raw) : recipientOf(raw);
        if (!recipient)
          return reply
            .status(400)
            .send({ code: apiErrors.INVALID_FIELD.code, message: 'to must be a valid phone number' });
      }
      reply.header('Cache-Control', 'no-store');
      const count = Math.min(Number(limit ?? 50), 200);
      // Wall-clock time on purpose: a long poll waits for real, whatever clock the flows run on.
      const deadline = Date.now() + Number(wait ?? 0) * 1000;
      for (;;) {
        const left = deadline - Date.now();
        const watch = left > 0 ? deps.inboxArrivals.watch(recipient, Math.min(left, RECHECK_MS)) : undefined;
        const messages = await deps.store.inbox.listMessages(recipient, count, after);
        if (!watch || messages.length > 0 || request.raw.destroyed) {
          watch?.cancel();
          return messages;
        }
        await watch.arrived;
      }
    },
  );

  const pageSchema = {
    operationId: 'devInboxPage',
    tags: ['Developer surfaces'],
    summary: "The dev phone: a page that looks like a phone's messages (development only)",
    response: { 200: textResponse('The page.', 'text/html') },
  };
  app.get('/dev/inbox', { schema: pageSchema }, async function showInbox(_request, reply) {
    const nonce = randomBytes(16).toString('base64');
    reply
      .header('Content-Type', 'text/html; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header(
        'Content-Security-Policy',
        `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      );
    return inboxPage(nonce, {
      codeTtlSeconds: deps.config.otpTtlSeconds,
      linkTtlSeconds: deps.config.instantLinkTtlSeconds,
    });
  });
}

/**
 * Tests and scripts poll the same few numbers over and over (a long poll per code), and parsing a
 * number with full metadata costs more than the inbox read itself: remember the last numbers seen.
 */
function rememberedRecipients(defaultCountry: string): (raw: string) => string | undefined {
  // Boxed, so that "not a number" is remembered too (a cache holds no undefined).
  const seen = boundedCache<string, { recipient: string | undefined }>(1_000);
  return (raw) => {
    const known = seen.get(raw);
    if (known) return known.recipient;
    const recipient = normalisePhone(raw, defaultCountry);
    seen.set(raw, { recipient });
    return recipient;
  };
}
