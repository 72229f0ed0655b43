import { prettyFactory } from 'pino-pretty';
import { describe, expect, it } from 'vitest';
import { logFormat, prettyOptions } from './logger.js';
import { smsProviders } from './sms/providers/registry.js';
import { capturedLogger } from './test-support/captured-logger.js';

describe('log format', () => {
  it('auto is pretty only in development on a terminal; production stays JSON unless asked', () => {
    const tty = { isTTY: true };
    const piped = { isTTY: false };
    expect(logFormat({ logFormat: 'auto', nodeEnv: 'development' }, tty)).toBe('pretty');
    expect(logFormat({ logFormat: 'auto', nodeEnv: 'development' }, piped)).toBe('json');
    expect(logFormat({ logFormat: 'auto', nodeEnv: 'production' }, tty)).toBe('json');
    expect(logFormat({ logFormat: 'auto', nodeEnv: 'test' }, tty)).toBe('json');
    expect(logFormat({ logFormat: 'json', nodeEnv: 'development' }, tty)).toBe('json');
    expect(logFormat({ logFormat: 'pretty', nodeEnv: 'production' }, piped)).toBe('pretty');
  });

  it('a pretty request line reads as method, path, status and time on one line', () => {
    const format = prettyFactory(prettyOptions(false));
    const request = format(
      '{"level":30,"time":0,"pid":1,"hostname":"h","reqId":"req-1","method":"POST","path":"/il/[redacted]","status":303,"durationMs":1.5,"msg":"request"}',
    );
    expect(request).toMatch(/^\[[\d:.]+\] INFO: POST \/il\/\[redacted\] 303 1\.5 ms\n$/);
    const other = format('{"level":40,"time":0,"pid":1,"hostname":"h","component":"sms","msg":"sms abandoned"}');
    expect(other).toMatch(/^\[[\d:.]+\] WARN: sms abandoned \{"component":"sms"\}\n$/);
  });
});

describe('log redaction', () => {
  it("every SMS provider's declared signature headers are redacted, as Authorization is", () => {
    const { logger, lines } = capturedLogger('info');
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    const declared = smsProviders.flatMap((provider) => provider.secretHeaders ?? []);
    expect(declared).toEqual(['x-twilio-signature', 'x-pocketproof-signature']);
    for (const header of declared) headers[header] = `signature-of-${header}`;
    logger.info({ headers }, 'headers logged by mistake');
    logger.info({ receipt: { headers } }, 'headers logged inside an object by mistake');
    const [top, nested] = lines.map((line) => JSON.parse(line));
    for (const logged of [top.headers, nested.receipt.headers]) {
      for (const header of declared) expect(logged[header], header).toBe('[redacted]');
      expect(logged['content-type']).toBe('application/x-www-form-urlencoded');
    }
    expect(lines.join('')).not.toContain('signature-of-');
  });
});
