import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, readAuthClaims, type TestServer } from '../../test-support/test-server.js';

/**
 * Field rules of the server API (contract §1.2, §1.3, §1.6), asserted as whole error bodies: every
 * refusal is `{ code, message }` and the message names the field and the rule it broke.
 */

const MOBILE = '+12025550143';
const OTHER_MOBILE = '+12025550188';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const START_PATHS = ['/v3/unify', '/v3/mfa'] as const;
const STATUS_PATHS = ['/v3/unify-status', '/v3/mfa-status'] as const;

type Body = Record<string, unknown>;
interface Refusal {
  name: string;
  body: Body;
  error: { code: number; message: string };
}
interface Acceptance {
  name: string;
  body: Body;
}

const invalid = (message: string) => ({ code: 8001, message });

/** The path of the first `null` anywhere in a JSON value, or undefined when there is none. */
function findNull(value: unknown, path = '$'): string | undefined {
  if (value === null) return path;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findNull(item, `${path}[${i}]`);
      if (found) return found;
    }
  } else if (typeof value === 'object' && value !== undefined) {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const found = findNull(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/** Every response seen by this file, so one test can assert none of them carried a `null`. */
const seenBodies: { path: string; body: unknown }[] = [];

async function call(t: TestServer, path: string, body: unknown, token?: string) {
  const response = await t.post(path, body, token);
  seenBodies.push({ path, body: response.body });
  return response;
}

async function raw(
  t: TestServer,
  path: string,
  options: { payload?: string | Buffer; headers?: Record<string, string> },
): Promise<{ status: number; body: any }> {
  const response = await t.server.app.inject({
    method: 'POST',
    url: path,
    headers: options.headers ?? {},
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  });
  const body = response.body ? response.json() : undefined;
  seenBodies.push({ path, body });
  return { status: response.statusCode, body };
}

const base = { possessionType: 'mobile', phoneNumber: MOBILE };
const desktop = { possessionType: 'desktop', phoneNumber: MOBILE, finalTargetUrl: 'https://app.example.com/done' };

/** Rules both start endpoints share, in the default region (us), for a client with no redirect origins. */
const startRefusals: Refusal[] = [
  // possessionType
  { name: 'possessionType is required', body: { phoneNumber: MOBILE }, error: invalid('possessionType is required') },
  {
    name: 'possessionType must be desktop, mobile or none',
    body: { ...base, possessionType: 'sms' },
    error: invalid('possessionType must be one of desktop, mobile, none'),
  },
  {
    name: 'possessionType is case-sensitive',
    body: { ...base, possessionType: 'Mobile' },
    error: invalid('possessionType must be one of desktop, mobile, none'),
  },
  {
    name: 'possessionType of the wrong JSON type is refused',
    body: { ...base, possessionType: 1 },
    error: invalid('possessionType must be a string'),
  },
  {
    name: 'possessionType null is refused',
    body: { ...base, possessionType: null },
    error: invalid('possessionType must be a string'),
  },

  // phoneNumber
  {
    name: 'phoneNumber with spaces is refused (letters, digits and + only)',
    body: { ...base, phoneNumber: '+1 202 555 0143' },
    error: invalid('phoneNumber must contain only letters, digits and +'),
  },
  {
    name: 'phoneNumber with dashes is refused (letters, digits and + only)',
    body: { ...base, phoneNumber: '202-555-0143' },
    error: invalid('phoneNumber must contain only letters, digits and +'),
  },
  {
    name: 'phoneNumber must be a JSON string, not a number',
    body: { ...base, phoneNumber: 12025550143 },
    error: invalid('phoneNumber must be a string'),
  },
  {
    name: 'phoneNumber over 20 characters is refused',
    body: { ...base, phoneNumber: `+${'1'.repeat(20)}` },
    error: invalid('phoneNumber must be at most 20 characters'),
  },
  {
    name: 'phoneNumber with a + that does not lead is refused',
    body: { ...base, phoneNumber: '1+2025550143' },
    error: invalid('phoneNumber must contain only letters, digits and a leading +, at most 20'),
  },
  {
    name: 'phoneNumber that is not a valid number is refused',
    body: { ...base, phoneNumber: '+1202555' },
    error: invalid('phoneNumber must be a valid phone number'),
  },
  {
    name: 'phoneNumber of letters that spell no number is refused',
    body: { ...base, phoneNumber: 'hello' },
    error: invalid('phoneNumber must be a valid phone number'),
  },
  {
    name: 'phoneNumber that is a landline (French fixed line) is refused',
    body: { ...base, phoneNumber: '+33112345678' },
    error: invalid('phoneNumber must be a mobile number (landline, toll-free and VoIP are refused)'),
  },
  {
    name: 'phoneNumber that is toll-free (US 800) is refused',
    body: { ...base, phoneNumber: '+18005550100' },
    error: invalid('phoneNumber must be a mobile number (landline, toll-free and VoIP are refused)'),
  },

  // finalTargetUrl
  {
    name: 'finalTargetUrl is required when possessionType is desktop',
    body: { possessionType: 'desktop', phoneNumber: MOBILE },
    error: invalid('finalTargetUrl is required when possessionType is desktop'),
  },
  {
    name: 'finalTargetUrl empty counts as missing for desktop',
    body: { ...desktop, finalTargetUrl: '' },
    error: invalid('finalTargetUrl is required when possessionType is desktop'),
  },
  {
    name: 'finalTargetUrl with a fragment is refused (characters alphanumeric and - . _ + = / : ?)',
    body: { ...desktop, finalTargetUrl: 'https://app.example.com/done#top' },
    error: invalid('finalTargetUrl must contain only letters, digits and - . _ + = / : ?'),
  },
  {
    name: 'finalTargetUrl with & is refused (characters alphanumeric and - . _ + = / : ?)',
    body: { ...desktop, finalTargetUrl: 'https://app.example.com/done?a=1&b=2' },
    error: invalid('finalTargetUrl must contain only letters, digits and - . _ + = / : ?'),
  },
  {
    name: 'finalTargetUrl with credentials is refused (user:pass@ is outside the character set)',
    body: { ...desktop, finalTargetUrl: 'https://user:pass@app.example.com/done' },
    error: invalid('finalTargetUrl must contain only letters, digits and - . _ + = / : ?'),
  },
  {
    name: 'finalTargetUrl over 128 characters is refused',
    body: { ...desktop, finalTargetUrl: `https://app.example.com/${'a'.repeat(105)}` },
    error: invalid('finalTargetUrl must be at most 128 characters'),
  },
  {
    name: 'finalTargetUrl that is a relative path is refused',
    body: { ...desktop, finalTargetUrl: '/done' },
    error: invalid('finalTargetUrl must be an absolute http or https URL'),
  },
  {
    name: 'finalTargetUrl without a scheme is refused',
    body: { ...desktop, finalTargetUrl: 'app.example.com/done' },
    error: invalid('finalTargetUrl must be an absolute http or https URL'),
  },
  {
    name: 'finalTargetUrl with an ftp scheme is refused',
    body: { ...desktop, finalTargetUrl: 'ftp://files.example.com/done' },
    error: invalid('finalTargetUrl must be an absolute http or https URL'),
  },
  {
    name: 'finalTargetUrl with a javascript: scheme is refused',
    body: { ...desktop, finalTargetUrl: 'javascript:alert' },
    error: invalid('finalTargetUrl must be an absolute http or https URL'),
  },
  {
    name: 'finalTargetUrl is checked on mobile flows too when given',
    body: { ...base, finalTargetUrl: 'ftp://files.example.com/done' },
    error: invalid('finalTargetUrl must be an absolute http or https URL'),
  },

  // smsMessage
  {
    name: 'smsMessage over 160 ASCII characters is refused',
    body: { ...base, smsMessage: `#### ${'a'.repeat(156)}` },
    error: invalid('smsMessage must be at most 160 characters'),
  },
  {
    name: 'smsMessage over 160 non-ASCII characters is refused (each counts as one)',
    body: { ...base, smsMessage: `#### ${'é'.repeat(156)}` },
    error: invalid('smsMessage must be at most 160 characters'),
  },
  {
    name: 'smsMessage far over 160 characters names the 160-character rule',
    body: { ...base, smsMessage: `#### ${'a'.repeat(700)}` },
    error: invalid('smsMessage must be at most 160 characters'),
  },
  {
    name: 'smsMessage must be a JSON string',
    body: { ...base, smsMessage: 1234 },
    error: invalid('smsMessage must be a string'),
  },
  {
    name: 'smsMessage for an OTP without a placeholder is refused',
    body: { ...base, smsMessage: 'Your code is coming' },
    error: invalid('smsMessage must contain exactly one placeholder ####, ##### or ###### for the code'),
  },
  {
    name: 'smsMessage for an OTP with a 3-# run has no placeholder',
    body: { ...base, smsMessage: '### is your code' },
    error: invalid('smsMessage must contain exactly one placeholder ####, ##### or ###### for the code'),
  },
  {
    name: 'smsMessage for an OTP with two placeholders is refused',
    body: { ...base, smsMessage: '#### is your code; again: ####' },
    error: invalid('smsMessage must contain exactly one placeholder ####, ##### or ###### for the code'),
  },
  {
    name: 'smsMessage for an OTP with a 7-# placeholder is refused (4 to 6 digits)',
    body: { ...base, smsMessage: '####### is your code' },
    error: invalid('smsMessage placeholder must be ####, ##### or ###### (4 to 6 digits)'),
  },
  {
    name: 'smsMessage for an Instant Link without a placeholder is refused',
    body: { ...desktop, smsMessage: 'Tap the link we sent' },
    error: invalid('smsMessage must contain exactly one placeholder #### for the link'),
  },
  {
    name: 'smsMessage for an Instant Link with ##### is refused (the link takes exactly ####)',
    body: { ...desktop, smsMessage: 'Tap ##### to continue' },
    error: invalid('smsMessage must contain exactly one placeholder #### for the link'),
  },
  {
    name: 'smsMessage for an Instant Link with two placeholders is refused',
    body: { ...desktop, smsMessage: 'Tap #### or ####' },
    error: invalid('smsMessage must contain exactly one placeholder #### for the link'),
  },

  // echoed identifiers
  ...(['clientRequestId', 'clientCustomerId', 'clientHumanId'] as const).flatMap((field) => [
    {
      name: `${field} over 128 characters is refused`,
      body: { ...base, [field]: 'x'.repeat(129) },
      error: invalid(`${field} must be at most 128 characters`),
    },
    {
      name: `${field} must be a JSON string`,
      body: { ...base, [field]: 42 },
      error: invalid(`${field} must be a string`),
    },
  ]),

  // emailAddress
  {
    name: 'emailAddress with _ is refused (letters, digits and @ . + only)',
    body: { ...base, emailAddress: 'first_last@example.com' },
    error: invalid('emailAddress must contain only letters, digits and @ . +'),
  },
  {
    name: 'emailAddress with a space is refused (letters, digits and @ . + only)',
    body: { ...base, emailAddress: 'a b@example.com' },
    error: invalid('emailAddress must contain only letters, digits and @ . +'),
  },
  ...['alice', 'alice@', '@example.com', 'alice@example', 'alice@@example.com', 'alice@example.'].map(
    (emailAddress) => ({
      name: `emailAddress ${JSON.stringify(emailAddress)} is not a plausible address`,
      body: { ...base, emailAddress },
      error: invalid('emailAddress must be an email address of letters, digits and @ . +'),
    }),
  ),

  // ipAddress
  ...['999.1.1.1', '1.2.3', 'localhost', '2001:db8::g', '1:2:3:4:5:6:7:8:9'].map((ipAddress) => ({
    name: `ipAddress ${JSON.stringify(ipAddress)} is not a valid IPv4 or IPv6 address`,
    body: { ...base, ipAddress },
    error: invalid('ipAddress must be a valid IPv4 or IPv6 address'),
  })),
  {
    name: 'ipAddress with a prefix length is refused (letters, digits and . : only)',
    body: { ...base, ipAddress: '10.0.0.1/8' },
    error: invalid('ipAddress must contain only letters, digits and . :'),
  },

  // booleans are never coerced
  {
    name: 'allowOTPRetry "true" (a string) is not coerced to a boolean',
    body: { ...base, allowOTPRetry: 'true' },
    error: invalid('allowOTPRetry must be a boolean'),
  },
  {
    name: 'allowOTPRetry 1 is not coerced to a boolean',
    body: { ...base, allowOTPRetry: 1 },
    error: invalid('allowOTPRetry must be a boolean'),
  },
  {
    name: 'rebind "false" (a string) is not coerced to a boolean',
    body: { ...base, rebind: 'false' },
    error: invalid('rebind must be a boolean'),
  },
  {
    name: 'rebind null is refused',
    body: { ...base, rebind: null },
    error: invalid('rebind must be a boolean'),
  },
];

const startAcceptances: Acceptance[] = [
  { name: 'phoneNumber in E.164 is accepted', body: base },
  { name: 'phoneNumber as a US national number without + is accepted', body: { ...base, phoneNumber: '2025550143' } },
  { name: 'phoneNumber as a US number with 1 but no + is accepted', body: { ...base, phoneNumber: '12025550143' } },
  {
    name: 'phoneNumber of an international mobile (+33 6) is accepted',
    body: { ...base, phoneNumber: '+33612345678' },
  },
  { name: 'phoneNumber may be omitted in region us', body: { possessionType: 'mobile' } },
  { name: 'phoneNumber empty counts as omitted in region us', body: { possessionType: 'mobile', phoneNumber: '' } },
  { name: 'possessionType none without a phoneNumber is accepted', body: { possessionType: 'none' } },
  {
    name: 'finalTargetUrl with a query is accepted',
    body: { ...desktop, finalTargetUrl: 'https://app.example.com/done?step=2' },
  },
  { name: 'finalTargetUrl over http is accepted', body: { ...desktop, finalTargetUrl: 'http://localhost:3000/done' } },
  {
    name: 'finalTargetUrl of exactly 128 characters is accepted',
    body: { ...desktop, finalTargetUrl: `https://app.example.com/${'a'.repeat(104)}` },
  },
  {
    name: 'finalTargetUrl goes anywhere http(s) when the client registered no redirect origins',
    body: { ...desktop, finalTargetUrl: 'https://elsewhere.example.org/done' },
  },
  {
    name: 'smsMessage of exactly 160 ASCII characters is accepted',
    body: { ...base, smsMessage: `#### ${'a'.repeat(155)}` },
  },
  {
    name: 'smsMessage of 160 non-ASCII characters is accepted (each counts as one)',
    body: { ...base, smsMessage: `#### ${'é'.repeat(155)}` },
  },
  {
    name: 'smsMessage of 160 astral characters is accepted (code points, not UTF-16 units)',
    body: { ...base, smsMessage: `#### ${'😀'.repeat(155)}` },
  },
  { name: 'smsMessage OTP placeholder of 4 digits is accepted', body: { ...base, smsMessage: '#### is your code' } },
  { name: 'smsMessage OTP placeholder of 5 digits is accepted', body: { ...base, smsMessage: '##### is your code' } },
  { name: 'smsMessage OTP placeholder of 6 digits is accepted', body: { ...base, smsMessage: 'Code: ######.' } },
  {
    name: 'smsMessage OTP with a short # run beside the placeholder is accepted',
    body: { ...base, smsMessage: '#1: ####' },
  },
  { name: 'smsMessage Instant Link with #### is accepted', body: { ...desktop, smsMessage: 'Continue here: ####' } },
  ...(['clientRequestId', 'clientCustomerId', 'clientHumanId'] as const).map((field) => ({
    name: `${field} of exactly 128 characters is accepted`,
    body: { ...base, [field]: 'x'.repeat(128) },
  })),
  {
    name: 'emailAddress with + and subdomains is accepted',
    body: { ...base, emailAddress: 'alice+tag@mail.example.com' },
  },
  { name: 'ipAddress IPv4 is accepted', body: { ...base, ipAddress: '203.0.113.7' } },
  { name: 'ipAddress IPv6 is accepted', body: { ...base, ipAddress: '2001:db8::1' } },
  { name: 'ipAddress IPv4-mapped IPv6 is accepted', body: { ...base, ipAddress: '::ffff:192.0.2.1' } },
  { name: 'allowOTPRetry and rebind accept real booleans', body: { ...base, allowOTPRetry: true, rebind: false } },
  {
    name: 'fields this server does not implement (checkReputation, mobileAuthEnabled) are ignored',
    body: { ...base, checkReputation: true, mobileAuthEnabled: false },
  },
];

describe.each(START_PATHS)('%s field rules', (path) => {
  let t: TestServer;
  let token: string;

  beforeAll(async () => {
    t = await createTestServer();
    token = (await t.newClient()).accessToken;
  });
  afterAll(() => t.close());

  it.each(startRefusals)('$name', async ({ body, error }) => {
    const response = await call(t, path, body, token);
    expect(response.status).toBe(400);
    expect(response.body).toEqual(error);
  });

  it.each(startAcceptances)('$name', async ({ body }) => {
    const response = await call(t, path, body, token);
    expect(response.body).toEqual({
      success: 'pending',
      correlationId: expect.any(String),
      authToken: expect.any(String),
    });
    expect(response.status).toBe(200);
  });

  it('a national number is stored and reported as E.164', async () => {
    const started = await call(t, path, { ...base, phoneNumber: '2025550143' }, token);
    const status = await call(t, `${path}-status`, { correlationId: started.body.correlationId }, token);
    expect(status.body).toEqual({ success: 'pending', phoneNumber: MOBILE });
  });

  it('success is the string "pending", correlationId a UUID v4, authToken a JWT whose payload decodes with atob', async () => {
    const response = await call(
      t,
      path,
      { ...base, clientRequestId: 'req-~?>é', emailAddress: 'a+b@example.com' },
      token,
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      success: 'pending',
      correlationId: expect.stringMatching(UUID_V4),
      authToken: expect.stringMatching(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/),
    });
    const payload = response.body.authToken.split('.')[1] as string;
    const claims = JSON.parse(atob(payload));
    expect(claims.auth.id).toBe(response.body.correlationId);
    expect(readAuthClaims(response.body.authToken)).toEqual(claims);
  });

  describe('body', () => {
    it('that is not JSON is refused', async () => {
      const response = await raw(t, path, {
        payload: '{"possessionType":',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
      expect(response).toEqual({ status: 400, body: invalid('body must be valid JSON') });
    });

    it('over 4096 bytes is refused', async () => {
      const payload = JSON.stringify({ ...base, padding: 'x'.repeat(4096) });
      const response = await raw(t, path, {
        payload,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
      expect(response).toEqual({ status: 400, body: invalid('body must be at most 4096 bytes') });
    });

    it('of exactly 4096 bytes is accepted', async () => {
      const skeleton = JSON.stringify({ ...base, padding: '' });
      const payload = JSON.stringify({ ...base, padding: 'x'.repeat(4096 - Buffer.byteLength(skeleton)) });
      expect(Buffer.byteLength(payload)).toBe(4096);
      const response = await raw(t, path, {
        payload,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
    });

    it.each([
      ['a JSON array', '[]'],
      ['a JSON string', '"mobile"'],
      ['JSON null', 'null'],
      ['a JSON number', '1'],
    ])('that is %s is refused: it must be a JSON object', async (_kind, payload) => {
      const response = await raw(t, path, {
        payload,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
      expect(response).toEqual({ status: 400, body: invalid('body must be a JSON object') });
    });

    it('that is empty is refused: it must be a JSON object', async () => {
      const response = await raw(t, path, {
        payload: '',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
      expect(response).toEqual({ status: 400, body: invalid('body must be a JSON object') });
    });

    it.each([
      ['text/plain', JSON.stringify(base)],
      ['application/x-www-form-urlencoded', 'possessionType=mobile&phoneNumber=%2B12025550143'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="possessionType"\r\n\r\nmobile\r\n--x--',
      ],
    ])('sent as %s is refused: JSON only', async (contentType, payload) => {
      const response = await raw(t, path, {
        payload,
        headers: { 'content-type': contentType, authorization: `Bearer ${token}` },
      });
      expect(response).toEqual({ status: 400, body: invalid('body must be sent as application/json') });
    });

    it('sent as application/json with a charset parameter is accepted', async () => {
      const response = await raw(t, path, {
        payload: JSON.stringify(base),
        headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
    });
  });

  describe('authorization', () => {
    it('no Authorization header is 401 code 8002', async () => {
      const response = await call(t, path, base);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ code: 8002, message: 'Authorization: Bearer <access_token> is required' });
    });

    it('a non-Bearer Authorization header is 401 code 8002', async () => {
      const response = await raw(t, path, {
        payload: JSON.stringify(base),
        headers: { 'content-type': 'application/json', authorization: `Basic ${btoa('id:secret')}` },
      });
      expect(response).toEqual({
        status: 401,
        body: { code: 8002, message: 'Authorization: Bearer <access_token> is required' },
      });
    });

    it('a token that is not a JWT is 401 code 8002', async () => {
      const response = await call(t, path, base, 'not-a-token');
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ code: 8002, message: 'access token is invalid or expired' });
    });

    it('a token with a tampered signature is 401 code 8002', async () => {
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
      const response = await call(t, path, base, `${header}.${payload}.${flipped}`);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ code: 8002, message: 'access token is invalid or expired' });
    });

    it('an authToken (device audience) is not an access token: 401 code 8002', async () => {
      const started = await call(t, path, base, token);
      const response = await call(t, path, base, started.body.authToken);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ code: 8002, message: 'access token is invalid or expired' });
    });

    it('authorization is checked before the body: no token and a bad body is 401', async () => {
      const response = await call(t, path, { possessionType: 'sms', allowOTPRetry: 'yes' });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ code: 8002, message: 'Authorization: Bearer <access_token> is required' });
    });

    it('authorization is checked before the body: no token and a body that is not JSON is 401', async () => {
      const response = await raw(t, path, { payload: '{nope', headers: { 'content-type': 'application/json' } });
      expect(response).toEqual({
        status: 401,
        body: { code: 8002, message: 'Authorization: Bearer <access_token> is required' },
      });
    });

    it('authorization is checked before the body: no token and an oversized body is 401', async () => {
      const response = await raw(t, path, {
        payload: JSON.stringify({ ...base, padding: 'x'.repeat(5000) }),
        headers: { 'content-type': 'application/json' },
      });
      expect(response).toEqual({
        status: 401,
        body: { code: 8002, message: 'Authorization: Bearer <access_token> is required' },
      });
    });
  });
});

describe('access token expiry', () => {
  it('an access token past its expires_in is 401 code 8002', async () => {
    const t = await createTestServer();
    try {
      const { accessToken } = await t.newClient();
      t.clock.advance(3599_000);
      expect((await call(t, '/v3/unify', base, accessToken)).status).toBe(200);
      t.clock.advance(2_000);
      const response = await call(t, '/v3/unify', base, accessToken);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ code: 8002, message: 'access token is invalid or expired' });
    } finally {
      await t.close();
    }
  });
});

describe('phoneNumber and possessionType none', () => {
  let t: TestServer;
  let token: string;
  beforeAll(async () => {
    t = await createTestServer();
    token = (await t.newClient()).accessToken;
  });
  afterAll(() => t.close());

  it('/v3/mfa refuses a phoneNumber with possessionType none (the seed rule)', async () => {
    const response = await call(t, '/v3/mfa', { possessionType: 'none', phoneNumber: MOBILE }, token);
    expect(response.status).toBe(400);
    expect(response.body).toEqual(invalid('phoneNumber is not allowed on /v3/mfa when possessionType is none'));
  });

  it('/v3/unify accepts a phoneNumber with possessionType none and reports it in status', async () => {
    const started = await call(t, '/v3/unify', { possessionType: 'none', phoneNumber: '2025550143' }, token);
    expect(started.status).toBe(200);
    const status = await call(t, '/v3/unify-status', { correlationId: started.body.correlationId }, token);
    expect(status.body).toEqual({ success: 'pending', phoneNumber: MOBILE });
  });
});

describe('region eu', () => {
  let t: TestServer;
  let token: string;
  beforeAll(async () => {
    t = await createTestServer({ config: { region: 'eu' } });
    token = (await t.newClient()).accessToken;
  });
  afterAll(() => t.close());

  describe.each(START_PATHS)('%s', (path) => {
    it.each([
      ['mobile', { possessionType: 'mobile' }],
      ['mobile with an empty phoneNumber', { possessionType: 'mobile', phoneNumber: '' }],
      ['desktop', { possessionType: 'desktop', finalTargetUrl: 'https://app.example.com/done' }],
    ])('phoneNumber is required in region eu (%s)', async (_kind, body) => {
      const response = await call(t, path, body, token);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(invalid('phoneNumber is required in region eu'));
    });

    it('a phoneNumber with country code is accepted in region eu', async () => {
      const response = await call(t, path, { possessionType: 'mobile', phoneNumber: '+33612345678' }, token);
      expect(response.status).toBe(200);
    });
  });
});

describe('finalTargetUrl and registered redirect origins', () => {
  let t: TestServer;
  let token: string;
  beforeAll(async () => {
    t = await createTestServer();
    token = (await t.newClient({ redirectOrigins: ['https://app.example.com'] })).accessToken;
  });
  afterAll(() => t.close());

  describe.each(START_PATHS)('%s', (path) => {
    it.each([
      ['another host', 'https://evil.example.com/done'],
      ['another scheme', 'http://app.example.com/done'],
      ['another port', 'https://app.example.com:8443/done'],
      ['a host that only starts with the origin', 'https://app.example.com.evil.example/done'],
      ['a parent domain', 'https://example.com/done'],
    ])('finalTargetUrl on %s is refused when the client registered redirect origins', async (_kind, finalTargetUrl) => {
      const response = await call(t, path, { ...desktop, finalTargetUrl }, token);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(
        invalid("finalTargetUrl must match one of the client's registered redirect origins"),
      );
    });

    it.each([
      ['a path and query', 'https://app.example.com/done?step=2'],
      ['the explicit default port', 'https://app.example.com:443/done'],
      ['an upper-case host', 'https://APP.example.com/done'],
    ])('finalTargetUrl on a registered origin is accepted (%s)', async (_kind, finalTargetUrl) => {
      const response = await call(t, path, { ...desktop, finalTargetUrl }, token);
      expect(response.status).toBe(200);
    });
  });
});

describe.each(STATUS_PATHS)('%s', (path) => {
  const startPath = path.replace('-status', '');
  let t: TestServer;
  let token: string;
  let otherToken: string;

  beforeAll(async () => {
    t = await createTestServer();
    token = (await t.newClient()).accessToken;
    otherToken = (await t.newClient()).accessToken;
  });
  afterAll(() => t.close());

  async function start(body: Body = base, as = token): Promise<string> {
    const response = await call(t, startPath, body, as);
    expect(response.status).toBe(200);
    return response.body.correlationId;
  }

  it.each<Refusal>([
    { name: 'correlationId is required', body: {}, error: invalid('correlationId is required') },
    {
      name: 'correlationId must be a UUID',
      body: { correlationId: 'not-a-uuid' },
      error: invalid('correlationId must be a UUID'),
    },
    {
      name: 'correlationId in braces is not a UUID',
      body: { correlationId: '{713189b8-5555-4b08-83ba-75d08780aebd}' },
      error: invalid('correlationId must be a UUID'),
    },
    {
      name: 'correlationId without dashes is not a UUID',
      body: { correlationId: '713189b855554b0883ba75d08780aebd' },
      error: invalid('correlationId must be a UUID'),
    },
    {
      name: 'correlationId must be a JSON string',
      body: { correlationId: 7 },
      error: invalid('correlationId must be a string'),
    },
    {
      name: 'clientRequestId over 128 characters is refused',
      body: { correlationId: '713189b8-5555-4b08-83ba-75d08780aebd', clientRequestId: 'x'.repeat(129) },
      error: invalid('clientRequestId must be at most 128 characters'),
    },
  ])('$name', async ({ body, error }) => {
    const response = await call(t, path, body, token);
    expect(response.status).toBe(400);
    expect(response.body).toEqual(error);
  });

  it('an unknown correlationId is 400 code 8008', async () => {
    const response = await call(t, path, { correlationId: '713189b8-5555-4b08-83ba-75d08780aebd' }, token);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ code: 8008, message: 'correlationId is unknown or expired' });
  });

  it("another client's correlationId is 400 code 8008, the same body as an unknown one", async () => {
    const foreign = await start(base, otherToken);
    const response = await call(t, path, { correlationId: foreign }, token);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ code: 8008, message: 'correlationId is unknown or expired' });
    // The owner still sees it.
    expect((await call(t, path, { correlationId: foreign }, otherToken)).status).toBe(200);
  });

  it("another client's correlationId with a seed-era phoneNumber is still 8008 (nothing leaks)", async () => {
    const foreign = await start(base, otherToken);
    const response = await call(t, path, { correlationId: foreign, phoneNumber: OTHER_MOBILE }, token);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ code: 8008, message: 'correlationId is unknown or expired' });
  });

  it('a correlationId in upper case finds the flow', async () => {
    const correlationId = await start();
    const response = await call(t, path, { correlationId: correlationId.toUpperCase() }, token);
    expect(response).toMatchObject({ status: 200, body: { success: 'pending', phoneNumber: MOBILE } });
  });

  it("a seed-era phoneNumber that is not the flow's number is refused", async () => {
    const correlationId = await start();
    const response = await call(t, path, { correlationId, phoneNumber: OTHER_MOBILE }, token);
    expect(response.status).toBe(400);
    expect(response.body).toEqual(invalid('phoneNumber does not match the number of this flow'));
  });

  it("a seed-era phoneNumber that is the flow's number in national form is accepted", async () => {
    const correlationId = await start();
    const response = await call(t, path, { correlationId, phoneNumber: '2025550143' }, token);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ success: 'pending', phoneNumber: MOBILE });
  });

  it('a seed-era phoneNumber with bad characters names the character rule', async () => {
    const correlationId = await start();
    const response = await call(t, path, { correlationId, phoneNumber: '202-555-0143' }, token);
    expect(response.status).toBe(400);
    expect(response.body).toEqual(invalid('phoneNumber must contain only letters, digits and +'));
  });

  it('phoneNumber is always present: "" when the flow has no number', async () => {
    const correlationId = await start({ possessionType: 'mobile' });
    const response = await call(t, path, { correlationId }, token);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ success: 'pending', phoneNumber: '' });
  });

  it('a seed-era phoneNumber on a flow with no number is accepted and ignored', async () => {
    const correlationId = await start({ possessionType: 'mobile' });
    const response = await call(t, path, { correlationId, phoneNumber: OTHER_MOBILE }, token);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ success: 'pending', phoneNumber: '' });
  });

  it('optional fields with no value are omitted, not null', async () => {
    const correlationId = await start(base);
    const response = await call(t, path, { correlationId }, token);
    expect(response.body).toEqual({ success: 'pending', phoneNumber: MOBILE });
    expect(Object.keys(response.body).sort()).toEqual(['phoneNumber', 'success']);
  });

  it('clientRequestId and clientHumanId are echoed when the flow has them', async () => {
    const correlationId = await start({
      ...base,
      clientRequestId: 'req-1',
      clientHumanId: 'human-7',
      clientCustomerId: 'c-9',
    });
    const response = await call(t, path, { correlationId }, token);
    expect(response.body).toEqual({
      success: 'pending',
      phoneNumber: MOBILE,
      clientRequestId: 'req-1',
      clientHumanId: 'human-7',
    });
  });

  it('no Authorization header is 401 code 8002, checked before the body', async () => {
    const response = await call(t, path, { correlationId: 'not-a-uuid' });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ code: 8002, message: 'Authorization: Bearer <access_token> is required' });
  });

  it('a body that is not JSON is refused', async () => {
    const response = await raw(t, path, {
      payload: 'correlationId=x',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    expect(response).toEqual({ status: 400, body: invalid('body must be valid JSON') });
  });
});

describe('responses', () => {
  it('no response body in this file carried a null value', () => {
    // Runs after the suites above in this file (vitest runs a file's tests in order).
    expect(seenBodies.length).toBeGreaterThan(100);
    const withNull = seenBodies
      .map(({ path, body }) => ({ path, at: findNull(body), body }))
      .filter((entry) => entry.at !== undefined);
    expect(withNull).toEqual([]);
  });
});
