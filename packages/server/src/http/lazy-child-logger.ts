import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';

const LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/**
 * Fastify gives every request a child logger bound to its id. Making a pino child costs a few
 * microseconds (bindings serialised, redaction and serializers set up again), about 2 % of a busy
 * server's time, and at the usual production level most requests never log a line. So the child is
 * made on the first call that would write (or any other use of it); a request that logs nothing
 * pays nothing. What is logged, and with which bindings, is unchanged.
 */
export function lazyChildLogger(parent: Logger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  // A route with its own level needs the real child to know it.
  if (options.level) return parent.child(bindings, options) as FastifyBaseLogger;
  let child: Logger | undefined;
  const real = () => {
    child ??= parent.child(bindings, options);
    return child;
  };
  const lazy = {
    child: (more: Bindings, moreOptions?: ChildLoggerOptions) => real().child(more, moreOptions),
    isLevelEnabled: (level: string) => (child ?? parent).isLevelEnabled(level),
    silent: () => {},
    get level() {
      return (child ?? parent).level;
    },
    set level(level: string) {
      real().level = level;
    },
  } as Record<string, unknown>;
  for (const level of LEVELS) {
    lazy[level] = (...args: unknown[]) => {
      if (!(child ?? parent).isLevelEnabled(level)) return;
      (real()[level] as (...a: unknown[]) => void)(...args);
    };
  }
  return lazy as unknown as FastifyBaseLogger;
}
