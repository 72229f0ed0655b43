import type { Config } from '../config/load.js';

export interface BannerFacts {
  /** Where the server is bound, as `listen` reported it. */
  address: string;
  engine: string;
  metricsUrl: string | undefined;
  demoAppUrl: string | undefined;
  demoClient: { clientId: string; clientSecret: string; savedIn: string | undefined } | undefined;
  /** In sandbox mode: the sandbox's documentation on this machine (sandbox/docs-path.ts). */
  sandboxDocs?: string;
}

/**
 * What `pocketproof serve` prints once listening. The bound address and `PUBLIC_URL` are told
 * apart: behind a proxy, or on 0.0.0.0, the one is not the other. A production server says which
 * developer surfaces are off, so a missing inbox is not a surprise (and one left on is seen).
 */
export function startBanner(config: Config, facts: BannerFacts): string[] {
  const lines = [`Pocketproof is listening on ${facts.address} (database: ${facts.engine})`];
  if (config.publicUrl !== facts.address) lines.push(`  Public URL:      ${config.publicUrl} (in links and tokens)`);
  lines.push(`  Start page:      ${config.publicUrl}/ (links the docs and health)`);
  if (facts.metricsUrl) lines.push(`  Metrics:         ${facts.metricsUrl}`);
  if (config.devSurfaces) {
    if (facts.demoAppUrl) lines.push(`  Demo app:        ${facts.demoAppUrl}/`);
    lines.push(`  Dev phone inbox: ${config.publicUrl}/dev/inbox`);
    if (facts.demoClient) {
      const { clientId, clientSecret, savedIn } = facts.demoClient;
      lines.push(`  Demo client:     client_id=${clientId} client_secret=${clientSecret}`);
      if (savedIn) lines.push(`                   (saved in ${savedIn})`);
    }
  }
  if (config.nodeEnv === 'production') lines.push(...productionNotice(config));
  if (config.sandbox !== undefined) lines.push(...sandboxNotice(config, facts.sandboxDocs));
  return lines;
}

/** The docs are named by a path that exists where the server runs, an installed package too. */
function sandboxNotice(config: Config, docs: string | undefined): string[] {
  return [
    `SANDBOX (${config.sandbox}): Prove's sandbox, emulated. No real SMS is sent (see the dev phone inbox); only test users exist; the code is 1234.`,
    `  Sandbox client:  client_id=${config.sandboxClientId} client_secret=${config.sandboxClientSecret}`,
    ...(docs ? [`  Test users and scenarios: ${docs}`] : []),
  ];
}

function productionNotice(config: Config): string[] {
  if (config.devSurfaces) {
    return [
      'Production mode (NODE_ENV=production), but DEV_SURFACES=true: the dev phone inbox, the demo client and the demo app are ON.',
    ];
  }
  return [
    'Production mode (NODE_ENV=production): developer surfaces are off — no dev phone inbox (/dev/inbox), no demo client, no demo app.',
    `  SMS_PROVIDER: ${config.smsProvider.length > 0 ? config.smsProvider.join(',') : 'none set (flows that send an SMS answer 503)'}`,
    '  Desktop flows need a client with redirect origins (pocketproof clients set-redirects).',
  ];
}
