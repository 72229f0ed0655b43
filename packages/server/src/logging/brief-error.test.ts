import { describe, expect, it } from 'vitest';
import { capturedLogger } from '../test-support/captured-logger.js';
import { briefError } from './brief-error.js';

/** What pg hands an error listener: a DatabaseError whose fields and client say far too much. */
function pgLikeError() {
  const error = Object.assign(new Error('terminating connection due to administrator command'), {
    name: 'error',
    severity: 'FATAL',
    code: '57P01',
    detail: 'Key (phone)=(+12025550143) already exists.',
    routine: 'ProcessInterrupts',
  });
  error.stack = [
    'error: terminating connection due to administrator command',
    '    at Parser.parseErrorMessage (/app/node_modules/pg-protocol/dist/parser.js:283:98)',
    '    at Parser.handlePacket (/app/node_modules/pg-protocol/dist/parser.js:122:29)',
    '    at Socket.<anonymous> (/app/node_modules/pg-protocol/dist/index.js:11:42)',
    '    at Socket.emit (node:events:518:28)',
  ].join('\n');
  const client = {
    processID: 4242,
    secretKey: 1_234_567_890,
    connectionParameters: { user: 'pocketproof', password: 'hunter2-password', database: 'pp' },
    activeQuery: { text: 'insert into flows (phone, code_hash) values ($1, $2)', values: ['+12025550143', 'x'] },
    queryQueue: new Array(20).fill({ text: 'select * from flows where id = $1' }),
  };
  return Object.assign(error, { client });
}

describe('briefError: errors are logged as a short message and a code, never as objects', () => {
  it("a pg error holding its client logs its message and code, and nothing of the client's", () => {
    const { logger, lines } = capturedLogger();
    logger.warn({ err: pgLikeError() }, 'database background task failed (recovers on its own)');
    const line = lines.join('');
    expect(JSON.parse(line).err).toEqual({
      type: 'error',
      message: 'terminating connection due to administrator command',
      code: '57P01',
    });
    for (const leaked of [
      'secretKey',
      '1234567890',
      'hunter2',
      'insert into',
      '2025550143',
      'Key (phone)',
      'parser.js',
    ]) {
      expect(line).not.toContain(leaked);
    }
    expect(line.length).toBeLessThan(400);
  });

  it('an error logged under `error` instead of `err` is kept as brief; a description there stays as written', () => {
    const { logger, lines } = capturedLogger();
    logger.warn({ error: pgLikeError() }, 'oops');
    logger.warn({ error: 'network: no answer within 10000 ms' }, 'sms provider call failed');
    const [object, text] = lines.map((line) => JSON.parse(line));
    expect(object.error).toEqual({ type: 'error', message: expect.any(String), code: '57P01' });
    expect(text.error).toBe('network: no answer within 10000 ms');
  });

  it('a system error keeps its code (EADDRINUSE is not a secret to redact)', () => {
    const { logger, lines } = capturedLogger();
    const busy = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8081'), {
      code: 'EADDRINUSE',
      errno: -98,
      syscall: 'listen',
      address: '127.0.0.1',
      port: 8081,
    });
    logger.warn({ err: busy }, 'demo app not started');
    expect(JSON.parse(lines.join('')).err).toMatchObject({
      code: 'EADDRINUSE',
      message: 'listen EADDRINUSE: address already in use 127.0.0.1:8081',
    });
  });

  it('a fault in our own code keeps a few of its own frames; a cause is kept one level down, briefly', () => {
    function ourBug(): never {
      throw new TypeError('Cannot read properties of undefined', { cause: pgLikeError() });
    }
    let thrown: unknown;
    try {
      ourBug();
    } catch (error) {
      thrown = error;
    }
    const brief = briefError(thrown);
    expect(brief.type).toBe('TypeError');
    expect(brief.stack?.split('\n')[0]).toMatch(/^at ourBug .*brief-error\.test\.ts:\d+:\d+\)$/);
    expect(brief.stack?.split('\n').length).toBeLessThanOrEqual(5);
    expect(brief.stack).not.toContain('node_modules');
    expect(brief.cause).toEqual({
      type: 'error',
      message: 'terminating connection due to administrator command',
      code: '57P01',
    });
  });

  it('tokens and numbers in a message are scrubbed; what is not an Error is logged as text', () => {
    const message = "invalid input: 'eyJhbGciOiJFUzI1NiJ9x9' for +1 (202) 555-0143 and 12025550143";
    expect(briefError(new Error(message)).message).toBe("invalid input: '[redacted]' for [redacted] and [redacted]");
    expect(briefError({ password: 'x', message: 'FST_ERR_CTP_BODY_TOO_LARGE' })).toEqual({
      type: 'Object',
      message: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
    expect(briefError('boom')).toEqual({ type: 'string', message: 'boom' });
    expect(briefError(new Error('x'.repeat(1000))).message.length).toBeLessThanOrEqual(201);
  });
});
