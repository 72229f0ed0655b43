import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './load.js';

describe('configuration', () => {
  it('defaults follow the contract', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(config).toMatchObject({
      port: 8080,
      publicUrl: 'http://localhost:8080',
      databaseUrl: 'sqlite:./data/pocketproof.db',
      postgresPreparedStatements: true,
      region: 'us',
      smsProvider: ['inbox'],
      devSurfaces: true,
      flowTtlSeconds: 900,
      otpTtlSeconds: 120,
      resendMax: 3,
      resendCooldownSeconds: 30,
      phoneSendLimit: 5,
      phoneSendWindowSeconds: 600,
      accessTokenTtlSeconds: 3600,
      tokenChecksAtOnce: 1,
      tokenChecksWaiting: 64,
      deviceKeyIdleDays: 365,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('development (the default environment) relaxes the per-number send limit; test and production keep the contract', () => {
    expect(loadConfig({}).phoneSendLimit).toBe(50);
    expect(loadConfig({ NODE_ENV: 'development' }).phoneSendLimit).toBe(50);
    expect(loadConfig({ NODE_ENV: 'test' }).phoneSendLimit).toBe(5);
    expect(loadConfig({ NODE_ENV: 'production' }).phoneSendLimit).toBe(5);
    // Set explicitly, a limit holds in every environment.
    expect(loadConfig({ PHONE_SEND_LIMIT: '5' }).phoneSendLimit).toBe(5);
    expect(loadConfig({}, { nodeEnv: 'production' }).phoneSendLimit).toBe(5);
  });

  it('a server that forgot NODE_ENV but sends real texts keeps the contract limit (no SMS bombing by omission)', () => {
    const webhook = {
      SMS_PROVIDER: 'webhook',
      SMS_WEBHOOK_URL: 'https://sms.example/send',
      SMS_WEBHOOK_SECRET: 's'.repeat(32),
    };
    expect(loadConfig(webhook).phoneSendLimit).toBe(5);
    expect(loadConfig({ ...webhook, SMS_PROVIDER: 'webhook,inbox' }).phoneSendLimit).toBe(5);
    expect(loadConfig({ SMS_PROVIDER: 'inbox' }).phoneSendLimit).toBe(50);
  });

  it('production turns the developer surfaces off unless asked for', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).devSurfaces).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', DEV_SURFACES: 'true' }).devSurfaces).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).smsProvider).toEqual([]);
  });

  it('refuses invalid values at boot, naming every bad key', () => {
    expect(() => loadConfig({ PORT: 'eighty', REGION: 'mars', OTP_TTL_SECONDS: '5' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', REGION: 'mars', OTP_TTL_SECONDS: '5' });
    } catch (error) {
      expect((error as Error).message).toContain('PORT: must be an integer, got "eighty"');
      expect((error as Error).message).toContain('REGION: must be one of us, eu, got "mars"');
      expect((error as Error).message).toContain('OTP_TTL_SECONDS: must be between 30 and 3600');
    }
  });

  it('PUBLIC_URL must be a bare origin, and is normalised to one', () => {
    expect(loadConfig({ PUBLIC_URL: 'HTTPS://Device.Example.ORG:443/' }).publicUrl).toBe('https://device.example.org');
    expect(() => loadConfig({ PUBLIC_URL: 'https://device.example.org/prove' })).toThrow(/bare origin/);
  });

  it('reads CONFIG_FILE, with the environment taking precedence', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pp-config-')), 'config.json');
    writeFileSync(file, JSON.stringify({ PORT: 9000, REGION: 'eu', ALLOWED_PHONE_TYPES: ['MOBILE'] }));
    const config = loadConfig({ CONFIG_FILE: file, PORT: '9100' });
    expect(config).toMatchObject({ port: 9100, region: 'eu', allowedPhoneTypes: ['MOBILE'] });
    writeFileSync(file, JSON.stringify({ PROT: 1 }));
    expect(() => loadConfig({ CONFIG_FILE: file })).toThrow(/unknown key PROT/);
  });

  it('config check redacts secrets, and of DATABASE_URL only its password', () => {
    const described = describeConfig(
      loadConfig({ CODE_HMAC_SECRET: 'x'.repeat(40), DATABASE_URL: 'postgres://u:pw@db/x' }),
    );
    expect(described.CODE_HMAC_SECRET).toBe('<redacted>');
    expect(described.DATABASE_URL).toBe('postgres://u:<redacted>@db/x');
    expect(JSON.stringify(described)).not.toContain(':pw@');
  });

  it('config check shows an SQLite DATABASE_URL, which holds no password, as it is', () => {
    const described = describeConfig(loadConfig({ DATABASE_URL: 'sqlite:./data/other.db' }));
    expect(described.DATABASE_URL).toBe('sqlite:./data/other.db');
    expect(describeConfig(loadConfig({ DATABASE_URL: 'postgres://db.internal/pp' })).DATABASE_URL).toBe(
      'postgres://db.internal/pp',
    );
  });

  it.each(['prod', 'Production', 'staging', 'dev', 'PRODUCTION'])(
    'a mistyped NODE_ENV (%s) refuses to start, naming the three accepted values',
    (nodeEnv) => {
      expect(() => loadConfig({ NODE_ENV: nodeEnv })).toThrow(
        `NODE_ENV: must be one of development, test, production, got "${nodeEnv}"`,
      );
    },
  );

  it('NODE_ENV accepts development, test and production; only production turns the dev surfaces off', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).devSurfaces).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).devSurfaces).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).devSurfaces).toBe(false);
  });

  it.each(['mysql://u:pw@db/x', 'sqlite:', 'pocketproof.db', 'postgres://[bad'])(
    'DATABASE_URL=%s is refused by the configuration, as serve would refuse it',
    (databaseUrl) => {
      expect(() => loadConfig({ DATABASE_URL: databaseUrl })).toThrow(/DATABASE_URL: /);
    },
  );

  it('an invalid PORT is reported once, without a PUBLIC_URL of localhost:undefined', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'abc' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PORT: must be an integer, got "abc"');
    expect(message).not.toContain('PUBLIC_URL');
    expect(message).not.toContain('undefined');
  });
});
