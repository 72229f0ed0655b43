import { type ErrorFamily, errorFamilies } from './catalogue.js';

/** How `docs/errors.md` introduces each family; its table is rendered from the catalogue. */
export const errorDocSections: Record<ErrorFamily, { title: string; intro: string[] }> = {
  api: {
    title: 'Server API',
    intro: [
      'Every error of the server API (`/token`, `/v3/*`) has the body `{ "code": <int>, "message": "<text>" }`;',
      'a validation message names the field and the rule. `/token` errors also carry RFC 6749 `error` and',
      '`error_description`. 5xx answers never carry details.',
    ],
  },
  device: {
    title: 'Device protocol',
    intro: [
      'The device protocol (`/v1/client/*`) answers business failures as HTTP 200 with',
      '`{ "next", "error": { "code", "message" } }`. The browser SDK acts on one code itself: 10006 deletes',
      'its stored key.',
    ],
  },
  prompt: {
    title: 'Prompts',
    intro: [
      'Prompts to enter a phone number or code again come as HTTP 200 with',
      '`{ "next": "", "data": { "code", "message", … } }`. Refusals by a limit name it in `limit`, its configuration key',
      '(`PHONE_SEND_LIMIT`, `IP_SEND_LIMIT`, `CLIENT_SEND_LIMIT`, `RESEND_MAX`, `RESEND_COOLDOWN_SECONDS`), and',
      'their message says when to try again.',
    ],
  },
};

/** One table row of a family, in code order; the server API's rows also give the HTTP status. */
export function docRows(family: ErrorFamily): string[] {
  return Object.entries(errorFamilies[family])
    .sort(([, a], [, b]) => a.code - b.code)
    .map(([name, e]) => {
      const cells = [String(e.code), `\`${name}\``, ...('status' in e ? [String(e.status)] : []), e.meaning];
      return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
    });
}

function renderSection(family: ErrorFamily): string[] {
  const { title, intro } = errorDocSections[family];
  const header = family === 'api' ? ['code', 'name', 'HTTP', 'meaning'] : ['code', 'name', 'meaning'];
  return [
    `## ${title}`,
    '',
    ...intro,
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...docRows(family),
    '',
  ];
}

/** Renders `docs/errors.md` from the catalogue; a test keeps the committed file equal to this. */
export function renderErrorDocs(): string {
  const families = Object.keys(errorFamilies) as ErrorFamily[];
  return [
    '# Error codes',
    '',
    'Generated from `packages/server/src/errors/catalogue.ts` by `npm run docs`; do not edit by hand.',
    '',
    'Pocketproof answers errors in three families. The numbers are the wire contract; the names are how',
    "the server's code refers to them.",
    '',
    ...families.flatMap(renderSection),
  ].join('\n');
}
