import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const dist = join(import.meta.dirname, '../dist');

/** The built bundles (`npm test` builds before it runs the tests). */
describe('the SDK bundle', () => {
  it('stays within the 12 KB gzipped budget', () => {
    const gzipped = gzipSync(readFileSync(join(dist, 'pocketproof.js'))).length;
    expect(gzipped).toBeLessThanOrEqual(12 * 1024);
  });

  it('exposes the global Pocketproof with the builder when loaded as a script', () => {
    const sandbox: Record<string, unknown> = {};
    new Function(
      'self',
      'globalThis',
      `${readFileSync(join(dist, 'pocketproof.js'), 'utf8')}; self.Pocketproof = Pocketproof;`,
    )(sandbox, sandbox);
    const sdk = sandbox.Pocketproof as Record<string, unknown>;
    expect(typeof sdk.AuthenticatorBuilder).toBe('function');
    expect(sdk.OtpResult).toEqual({ SUCCESS: 0, RESEND: 1, CHANGE_NUMBER: 2 });
  });

  it('the manifest integrity is the sha384 of the served bundle', () => {
    const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8'));
    const digest = createHash('sha384')
      .update(readFileSync(join(dist, 'pocketproof.js')))
      .digest('base64');
    expect(manifest.integrity).toBe(`sha384-${digest}`);
  });
});
