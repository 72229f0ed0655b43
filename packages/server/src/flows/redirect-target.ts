import { isIP } from 'node:net';
import type { ClientRecord } from '../storage/records.js';

/** Where a client's Instant Links may send the phone, and whether the server runs in production. */
export interface RedirectPolicy extends Pick<ClientRecord, 'redirectOrigins' | 'anyRedirectTarget'> {
  production: boolean;
}

export type CheckedTarget = { ok: true; url: string } | { ok: false; rule: string };

/** The contract's characters (§1.2); the route's schema holds the same rule, this keeps it on its own. */
const CONTRACT_CHARACTERS = /^[A-Za-z0-9\-._+=/:?]*$/;
/** The WHATWG URL standard's valid form for http(s): the scheme, then `//` and the host. */
const WRITTEN_ABSOLUTE = /^https?:\/\/[^/]/i;
const ABSOLUTE = 'must be an absolute http or https URL';

/**
 * Checks an integrator's `finalTargetUrl` and returns it normalised by the WHATWG URL parser, the
 * form the Instant Link redirects to. The browser parses a `Location` the same way, so the
 * origin checked here is the origin the phone lands on: `https:app.example/done` would pass an
 * origin check as `https://app.example` and then resolve against this server's own URL.
 */
export function checkRedirectTarget(value: string, policy: RedirectPolicy): CheckedTarget {
  const fail = (rule: string): CheckedTarget => ({ ok: false, rule });
  if (!CONTRACT_CHARACTERS.test(value)) return fail('must contain only letters, digits and - . _ + = / : ?');
  if (!WRITTEN_ABSOLUTE.test(value) || !URL.canParse(value)) return fail(ABSOLUTE);
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(ABSOLUTE);
  if (url.username || url.password) return fail('must not contain credentials');

  // Without an origin check an Instant Link is an open redirect to wherever the caller names.
  if (policy.redirectOrigins.length > 0) {
    if (!policy.redirectOrigins.includes(url.origin)) {
      return fail("must match one of the client's registered redirect origins");
    }
    return { ok: true, url: url.href };
  }
  if (policy.production && !policy.anyRedirectTarget) {
    return fail(
      'cannot be checked: the client has no registered redirect origins, which production requires (pocketproof clients set-redirects <clientId> --redirect-origin <url>)',
    );
  }
  // An app on the developer's own machine is the usual target while trying things out.
  if (!policy.production && isLoopback(url.hostname)) return { ok: true, url: url.href };
  const host = checkNamedHost(url.hostname);
  return host ? fail(host) : { ok: true, url: url.href };
}

/** The parser has already written every IPv4 notation as dotted decimal (IPv6 fails the characters). */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * For a client without registered origins: a host name that a person would register, not an
 * address. IP literals in any notation (the parser turns `http://2852039166` into
 * `169.254.169.254`) reach link-local, metadata and private addresses, so they must be registered.
 */
function checkNamedHost(hostname: string): string | undefined {
  if (hostname.startsWith('[') || isIP(hostname) !== 0) {
    return 'must name a host, not an IP address, unless its origin is registered for the client';
  }
  if (hostname === 'localhost') return undefined;
  const labels = hostname.split('.');
  const valid =
    labels.length >= 2 &&
    labels.every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) &&
    /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(labels.at(-1) as string);
  return valid ? undefined : 'must name a host such as app.example.com';
}
