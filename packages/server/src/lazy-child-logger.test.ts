import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyChildLogger } from './lazy-child-logger.js';
import { loggerOptions } from './logger.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, parent: pino(loggerOptions(level), sink) };
}

describe('lazy request loggers', () => {
  it('a request that logs nothing at the configured level never makes a child', () => {
    const { lines, parent } = capture('warn');
    const child = vi.spyOn(parent, 'child');
    const log = lazyChildLogger(parent, { reqId: 'req-1' }, {});
    log.info({ res: 'x' }, 'request completed');
    log.debug('details');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it('what is logged carries the bindings and is redacted as before; the child is made once', () => {
    const { lines, parent } = capture('info');
    const child = vi.spyOn(parent, 'child');
    const log = lazyChildLogger(parent, { reqId: 'req-2' }, {});
    log.info({ phone: '+12025550100' }, 'first');
    log.error({ otp: '1234' }, 'second');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map(({ reqId, msg, phone, otp }) => ({ reqId, msg, phone, otp }))).toEqual([
      { reqId: 'req-2', msg: 'first', phone: '[redacted]', otp: undefined },
      { reqId: 'req-2', msg: 'second', phone: undefined, otp: '[redacted]' },
    ]);
  });

  it('a route-level log level is honoured (the child is made at once with it)', () => {
    const { lines, parent } = capture('warn');
    const log = lazyChildLogger(parent, { reqId: 'req-3' }, { level: 'debug' });
    log.debug('shown');
    expect(lines.map((line) => line.msg)).toEqual(['shown']);
  });
});
