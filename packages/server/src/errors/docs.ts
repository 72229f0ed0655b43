import { apiErrors } from './catalogue.js';

/** Renders `docs/errors.md` from the catalogue; a test keeps the committed file equal to this. */
export function renderErrorDocs(): string {
  const rows = Object.entries(apiErrors).map(([code, e]) => `| ${code} | ${e.status} | ${e.meaning} |`);
  return [
    '# Error codes',
    '',
    'Generated from `packages/server/src/errors/catalogue.ts` by `npm run docs`; do not edit by hand.',
    '',
    'Every error of the server API (`/token`, `/v3/*`) has the body `{ "code": <int>, "message": "<text>" }`;',
    'a validation message names the field and the rule. `/token` errors also carry RFC 6749 `error` and',
    '`error_description`. 5xx answers never carry details.',
    '',
    '| code | HTTP | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
    'The device protocol (`/v1/client/*`) answers business failures as HTTP 200 with',
    '`{ "next", "error": { "code", "message" } }`; its codes are 10000 (authentication failed), 10003',
    '(step not allowed now), 10004 (step not completed), 10005 (no tries left) and 10006 (device not found:',
    'the browser deletes its key). Prompts to enter a phone number or code again come as `data` with codes',
    '1001 (invalid number), 1002 (number required), 1003 (number not allowed), 1004 (resend too soon,',
    'with `retryAfterSeconds`), 1005 (a send cap or budget reached, with `retryAfterSeconds` when waiting helps) 1101 (wrong code, with `attemptsLeft`), 1102 (too many wrong codes for this number from this',
    'requester, or from everyone: entries pause, with `retryAfterSeconds`) and 1103 (the entry is not digits: not counted as a try). Refusals by a limit name it in `limit`, its configuration key',
    '(`PHONE_SEND_LIMIT`, `IP_SEND_LIMIT`, `CLIENT_SEND_LIMIT`, `RESEND_MAX`, `RESEND_COOLDOWN_SECONDS`), and',
    'their message says when to try again.',
    '',
  ].join('\n');
}
