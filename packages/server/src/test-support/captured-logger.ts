import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from '../logger.js';

/** A pino logger with the server's options, writing each line to an array. */
export function capturedLogger(level = 'trace') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino(loggerOptions(level), sink), lines };
}
