import { prettyFactory } from 'pino-pretty';
import { describe, expect, it } from 'vitest';
import { logFormat, prettyOptions } from './logger.js';

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
