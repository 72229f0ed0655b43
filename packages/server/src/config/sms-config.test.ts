import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from './load.js';

const TWILIO = {
  TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'twilio-auth-token',
  TWILIO_FROM: '+12025550100',
};
const VONAGE = { VONAGE_API_KEY: 'key', VONAGE_API_SECRET: 'vonage-secret', VONAGE_FROM: 'Pocketproof' };
const SMPP = { SMPP_URL: 'smpp://system:pw@smsc.example.net:2775', SMPP_SOURCE_ADDR: 'Pocketproof' };
const WEBHOOK = { SMS_WEBHOOK_URL: 'https://gateway.example.net/sms', SMS_WEBHOOK_SECRET: 's'.repeat(32) };

/** The problems loadConfig reports for `env`, one per line, or [] when it loads. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as Error).message
      .split('\n')
      .slice(1)
      .map((line) => line.trim());
  }
}

describe('SMS provider configuration', () => {
  it('SMS_PROVIDER is an ordered failover list of known providers', () => {
    expect(loadConfig({ SMS_PROVIDER: 'vonage, twilio', ...TWILIO, ...VONAGE }).smsProvider).toEqual([
      'vonage',
      'twilio',
    ]);
    expect(problems({ SMS_PROVIDER: 'twilio,carrier-pigeon', ...TWILIO })).toEqual([
      'SMS_PROVIDER: "carrier-pigeon" is not one of twilio, vonage, sns, smpp, webhook, inbox',
    ]);
    expect(problems({ SMS_PROVIDER: 'inbox,inbox' })).toEqual(['SMS_PROVIDER: lists a value twice']);
  });

  it.each([
    [
      'twilio',
      [
        'TWILIO_ACCOUNT_SID is required when SMS_PROVIDER includes twilio',
        'TWILIO_AUTH_TOKEN is required when SMS_PROVIDER includes twilio',
        'TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required when SMS_PROVIDER includes twilio',
      ],
    ],
    [
      'vonage',
      [
        'VONAGE_API_KEY is required when SMS_PROVIDER includes vonage',
        'VONAGE_API_SECRET is required when SMS_PROVIDER includes vonage',
        'VONAGE_FROM is required when SMS_PROVIDER includes vonage',
      ],
    ],
    [
      'smpp',
      [
        'SMPP_URL is required when SMS_PROVIDER includes smpp',
        'SMPP_SOURCE_ADDR is required when SMS_PROVIDER includes smpp',
      ],
    ],
    [
      'webhook',
      [
        'SMS_WEBHOOK_URL is required when SMS_PROVIDER includes webhook',
        'SMS_WEBHOOK_SECRET is required when SMS_PROVIDER includes webhook',
      ],
    ],
    ['sns', []],
    ['inbox', []],
  ])('SMS_PROVIDER=%s without its keys fails at boot naming each missing key', (provider, expected) => {
    expect(problems({ SMS_PROVIDER: provider })).toEqual(expected);
  });

  it('every provider of a failover list is checked', () => {
    expect(problems({ SMS_PROVIDER: 'twilio,webhook', ...TWILIO })).toEqual([
      'SMS_WEBHOOK_URL is required when SMS_PROVIDER includes webhook',
      'SMS_WEBHOOK_SECRET is required when SMS_PROVIDER includes webhook',
    ]);
  });

  it('a complete configuration of each provider loads', () => {
    const complete: Record<string, string>[] = [
      { SMS_PROVIDER: 'twilio', ...TWILIO },
      { SMS_PROVIDER: 'twilio', ...TWILIO, TWILIO_FROM: '', TWILIO_MESSAGING_SERVICE_SID: `MG${'a'.repeat(32)}` },
      { SMS_PROVIDER: 'vonage', ...VONAGE },
      { SMS_PROVIDER: 'smpp', ...SMPP },
      { SMS_PROVIDER: 'webhook', ...WEBHOOK },
      { SMS_PROVIDER: 'sns', SNS_SENDER_ID: 'Pocketproof', SNS_ORIGINATION_NUMBER: '+12025550100' },
    ];
    for (const env of complete) {
      expect(problems(env), JSON.stringify(env)).toEqual([]);
    }
  });

  it('values are checked too: SID shape, URLs, senders, secret length', () => {
    expect(
      problems({
        SMS_PROVIDER: 'twilio,vonage,smpp,webhook,sns',
        ...TWILIO,
        TWILIO_ACCOUNT_SID: 'AC123',
        TWILIO_BASE_URL: 'ftp://api.twilio.com',
        ...VONAGE,
        VONAGE_FROM: 'Far too long a sender',
        SMPP_URL: 'http://smsc.example.net',
        SMPP_SOURCE_ADDR: '+12025550100',
        SMS_WEBHOOK_URL: 'not a url',
        SMS_WEBHOOK_SECRET: 'short',
        SNS_ORIGINATION_NUMBER: '2025550100',
      }),
    ).toEqual([
      'TWILIO_ACCOUNT_SID: must be AC followed by 32 hexadecimal digits',
      'TWILIO_BASE_URL: must be an absolute http(s) URL',
      'VONAGE_FROM: must be a phone number or an alphanumeric sender ID of at most 11 characters',
      'SMPP_URL: must look like smpp://system_id:password@host:port (or ssmpp:// for TLS)',
      'SMS_WEBHOOK_URL: must be an absolute http(s) URL',
      'SMS_WEBHOOK_SECRET: must be at least 32 characters',
      'SNS_ORIGINATION_NUMBER: must be a number in E.164 (+ and digits)',
    ]);
  });

  it('keys of providers that are not selected are not required nor checked', () => {
    expect(problems({ SMS_PROVIDER: 'inbox', TWILIO_ACCOUNT_SID: 'nonsense', SMPP_URL: 'nonsense' })).toEqual([]);
  });

  it('SMS_WEBOTP_DOMAIN must be a bare host name', () => {
    expect(loadConfig({ SMS_WEBOTP_DOMAIN: 'app.example.com' }).smsWebOtpDomain).toBe('app.example.com');
    for (const bad of ['https://app.example.com', 'app.example.com:8443', 'app.example.com/login', 'App.Example.com']) {
      expect(problems({ SMS_WEBOTP_DOMAIN: bad }), bad).toEqual([
        'SMS_WEBOTP_DOMAIN: must be a host name such as example.com (no scheme, port or path)',
      ]);
    }
  });

  it('config check redacts every provider secret', () => {
    const config = loadConfig({
      SMS_PROVIDER: 'twilio,vonage,smpp,webhook',
      ...TWILIO,
      ...VONAGE,
      ...SMPP,
      ...WEBHOOK,
    });
    const described = describeConfig(config);
    for (const key of ['TWILIO_AUTH_TOKEN', 'VONAGE_API_SECRET', 'SMPP_URL', 'SMS_WEBHOOK_SECRET']) {
      expect(described[key], key).toBe('<redacted>');
    }
    const text = JSON.stringify(described);
    for (const secret of [
      TWILIO.TWILIO_AUTH_TOKEN,
      VONAGE.VONAGE_API_SECRET,
      'system:pw',
      WEBHOOK.SMS_WEBHOOK_SECRET,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(described.SMS_PROVIDER).toEqual(['twilio', 'vonage', 'smpp', 'webhook']);
  });
});
