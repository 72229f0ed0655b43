import fc from 'fast-check';

/**
 * Hostile building blocks: strings with control characters, NUL, lone surrogates and long runs;
 * values of the wrong type; deep nesting; prototype keys; forged tokens.
 */

const CONTROL = [...Array(32).keys(), 0x7f].map((code) => String.fromCharCode(code));

/** Characters that broke or could break something below the HTTP layer. */
const nasty = fc.constantFrom(
  ...CONTROL,
  '\u0000',
  '\ud800', // a lone surrogate: not valid UTF-16, encodes as U+FFFD
  '\udfff',
  '\u2028',
  '\ufeff',
  '\u202e',
  '😀',
  'é',
  'ß',
  '%',
  '%00',
  '%ff',
  "'",
  '"',
  '\\',
  '<script>',
  '${',
  '#',
  '####',
  '../',
  ' ',
  '+',
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(fc.oneof(nasty, fc.string({ maxLength: 4 })), { maxLength: 12 }).map((p) => p.join('')),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 6000 })
      .chain((n) => fc.constantFrom('a', '😀', '\u0000', '9').map((c) => c.repeat(n))),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', 'null', 'true', '0', '-1', '1e309', 'NaN', '__proto__', 'constructor'),
  },
);

/** A value of any JSON type, nested up to a few levels, with prototype keys now and then. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.constantFrom(
      null,
      true,
      false,
      0,
      -0,
      -1,
      1.5,
      2 ** 31,
      2 ** 53 + 2,
      -(2 ** 63),
      1e308,
      Number.MAX_SAFE_INTEGER,
    ),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype')), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value;

/** `[[[[…]]]]` or `{"a":{"a":…}}` deep enough to hurt a recursive walker, within 16 KB. */
export const deepNesting: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 10, max: 5000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** Percent-encoding of any string, lone surrogates included (sent as U+FFFD, as a browser would). */
export const uriEncode = (text: string): string => encodeURIComponent(Buffer.from(text, 'utf8').toString('utf8'));

export const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json, text/plain',
  '',
  'application/JSON',
  '*/*',
);

/** Bearer values that look like JWTs and are not, or were once and were tampered with. */
export function forgedTokens(genuine: () => string | undefined): fc.Arbitrary<string> {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return fc.oneof(
    fc.constant('x'),
    hostileString.filter((s) => /^[\t\x20-\x7e]*$/.test(s)),
    fc
      .record({ alg: fc.constantFrom('none', 'HS256', 'ES256', 'RS256'), sub: hostileString })
      .map(({ alg, sub }) => `${b64({ alg, typ: 'JWT' })}.${b64({ sub, exp: 4_102_444_800, aud: 'x' })}.`),
    fc.constantFrom('==', 'A', '.', '..', 'e30.e30.e30').map((tail) => `${genuine() ?? 'e30.e30'}${tail}`),
    fc.nat({ max: 40 }).map((cut) => {
      const token = genuine() ?? 'e30.e30.sig';
      return `${token.slice(0, token.length - cut - 1)}${token.at(-1) === 'A' ? 'B' : 'A'}`;
    }),
  );
}
