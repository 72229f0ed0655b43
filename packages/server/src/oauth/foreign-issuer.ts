import type { Logger } from 'pino';
import { boundedCache } from '../bounded-cache.js';

const REPEAT_AFTER_MS = 60_000;

/**
 * Hears a genuine token (our signature) that names another issuer: a node whose `PUBLIC_URL`
 * differs from the node that issued it. The caller only learns that its token is invalid; the
 * operator is told why, once a minute per issuer, since every such request says the same.
 */
export function foreignIssuerWarning(logger: Logger, ownIssuer: string): (foreignIssuer: unknown) => void {
  const lastWarnedAt = boundedCache<string, number>(100);
  return (foreignIssuer) => {
    const issuer = String(foreignIssuer).slice(0, 200);
    const now = Date.now();
    if (now - (lastWarnedAt.get(issuer) ?? -Infinity) < REPEAT_AFTER_MS) return;
    lastWarnedAt.set(issuer, now);
    logger.warn(
      { tokenIssuer: issuer, publicUrl: ownIssuer },
      'refused a token this deployment signed for another PUBLIC_URL: every node must share one PUBLIC_URL',
    );
  };
}
