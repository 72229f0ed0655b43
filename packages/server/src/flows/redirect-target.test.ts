import { describe, expect, it } from 'vitest';
import { HOSTILE_TARGETS, LOOPBACK_TARGETS } from '../test-support/hostile-redirect-targets.js';
import { checkRedirectTarget, type RedirectPolicy } from './redirect-target.js';

const devWithoutOrigins: RedirectPolicy = { redirectOrigins: [], anyRedirectTarget: false, production: false };
const withOrigin: RedirectPolicy = {
  redirectOrigins: ['https://app.example'],
  anyRedirectTarget: false,
  production: true,
};
const productionWithoutOrigins: RedirectPolicy = { ...devWithoutOrigins, production: true };
const productionAnyTarget: RedirectPolicy = { ...productionWithoutOrigins, anyRedirectTarget: true };

describe('redirect targets (finalTargetUrl)', () => {
  it.each(HOSTILE_TARGETS)('the hostile target %j is refused for a client without origins', (target) => {
    expect(checkRedirectTarget(target, devWithoutOrigins).ok).toBe(false);
  });

  it.each(HOSTILE_TARGETS)('the hostile target %j is refused for a client with a registered origin', (target) => {
    expect(checkRedirectTarget(target, withOrigin).ok).toBe(false);
  });

  it.each(HOSTILE_TARGETS)('the hostile target %j is refused for a client that chose any target', (target) => {
    expect(checkRedirectTarget(target, productionAnyTarget).ok).toBe(false);
  });

  it.each(LOOPBACK_TARGETS)('the loopback target %j is refused in production and for other origins', (target) => {
    expect(checkRedirectTarget(target, productionAnyTarget).ok).toBe(false);
    expect(checkRedirectTarget(target, withOrigin).ok).toBe(false);
  });

  it.each(LOOPBACK_TARGETS)('the loopback target %j is accepted outside production without origins', (target) => {
    expect(checkRedirectTarget(target, devWithoutOrigins).ok).toBe(true);
  });

  it.each([
    ['https://app.example/done', 'https://app.example/done'],
    ['HTTPS://App.Example/Done', 'https://app.example/Done'],
    ['https://app.example:443/done', 'https://app.example/done'],
    ['https://app.example/a/../done', 'https://app.example/done'],
    ['https://app.example', 'https://app.example/'],
    ['https://app.example/done?next=1', 'https://app.example/done?next=1'],
  ])('with the origin registered, %s is accepted as %s (normalised)', (target, normalised) => {
    expect(checkRedirectTarget(target, withOrigin)).toEqual({ ok: true, url: normalised });
  });

  it.each([
    'http://app.example/done',
    'https://app.example:8443/done',
    'https://www.app.example/done',
    'https://app.example.evil.example/',
  ])('with the origin https://app.example registered, %s is another origin and refused', (target) => {
    expect(checkRedirectTarget(target, withOrigin)).toEqual({
      ok: false,
      rule: "must match one of the client's registered redirect origins",
    });
  });

  it.each([
    ['https://shop.example/done', 'https://shop.example/done'],
    ['http://localhost:3000/done', 'http://localhost:3000/done'],
    ['HTTP://LOCALHOST:3000/', 'http://localhost:3000/'],
    ['https://xn--80ak6aa92e.example/', 'https://xn--80ak6aa92e.example/'],
    ['https://sub.shop.example.co.uk/x?y=1', 'https://sub.shop.example.co.uk/x?y=1'],
  ])('a client without origins outside production may name a host: %s becomes %s', (target, normalised) => {
    expect(checkRedirectTarget(target, devWithoutOrigins)).toEqual({ ok: true, url: normalised });
  });

  it('in production a client without origins is refused, naming the command that registers them', () => {
    const checked = checkRedirectTarget('https://shop.example/done', productionWithoutOrigins);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? '' : checked.rule).toMatch(/no registered redirect origins.*production.*set-redirects/);
  });

  it('in production a client that chose any target may name any host', () => {
    expect(checkRedirectTarget('https://shop.example/done', productionAnyTarget)).toEqual({
      ok: true,
      url: 'https://shop.example/done',
    });
  });
});
