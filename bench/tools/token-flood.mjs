// What a flood of wrong client secrets at /token does to the rest of the server: status reads per
// second (and their p99) alone, then while /token gets 200 wrong secrets a second (an open loop:
// the sender does not wait for answers, over up to 400 connections), for the
// default limits on client-secret checks and for none (checks then run four at once on libuv's
// thread pool, as before the limits existed). The settings alternate, so the host's drift falls on
// both. Usage: node bench/tools/token-flood.mjs [rounds=2] [seconds=6]
import autocannon from 'autocannon';
import { cpuMs, residentMb, startPocketproof } from '../lib/processes.mjs';
import { credentials } from '../lib/scenarios.mjs';

const rounds = Number(process.argv[2] ?? 2);
const seconds = Number(process.argv[3] ?? 6);
const settings = {
  'default limits (1 at once, 64 waiting)': {},
  'no limits (4 at once, no line)': { TOKEN_CHECKS_AT_ONCE: '64', TOKEN_CHECKS_WAITING: '10000' },
};
const json = { 'content-type': 'application/json' };

async function statusLoad(server, creds) {
  const headers = { ...json, authorization: `Bearer ${creds.accessToken}` };
  const started = await fetch(`${server.url}/v3/unify`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ possessionType: 'mobile', phoneNumber: '+12025551000' }),
  });
  const { correlationId } = await started.json();
  return () =>
    autocannon({
      url: `${server.url}/v3/unify-status`,
      method: 'POST',
      headers,
      body: JSON.stringify({ correlationId }),
      connections: 10,
      duration: seconds,
    });
}

function flood(server, creds) {
  const codes = {};
  const instance = autocannon({
    url: `${server.url}/token`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: creds.clientId,
      client_secret: 'not-the-secret',
    }).toString(),
    connections: 400,
    overallRate: 200,
    duration: seconds + 2,
  });
  instance.on('response', (_client, statusCode) => {
    codes[statusCode] = (codes[statusCode] ?? 0) + 1;
  });
  return { done: instance, codes };
}

const rows = [];
for (let round = 1; round <= rounds; round++) {
  for (const [name, env] of Object.entries(settings)) {
    const server = await startPocketproof({ LOG_LEVEL: 'warn', ...env });
    try {
      const creds = await credentials(server);
      const status = await statusLoad(server, creds);
      await status(); // warm-up
      const alone = await status();
      const cpuBefore = await cpuMs(server.pid);
      const flooding = flood(server, creds);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const during = await status();
      const floodResult = await flooding.done;
      const cpuPerSecond = ((await cpuMs(server.pid)) - cpuBefore) / 1000 / floodResult.duration;
      rows.push({
        round,
        name,
        aloneRps: Math.round(alone.requests.total / alone.duration),
        aloneP99: alone.latency.p99,
        duringRps: Math.round(during.requests.total / during.duration),
        duringP99: during.latency.p99,
        tokenAnswers: Object.entries(flooding.codes)
          .map(([code, count]) => `${code}: ${Math.round(count / floodResult.duration)}/s`)
          .join(', '),
        tokenP99: floodResult.latency.p99,
        serverCores: cpuPerSecond.toFixed(2),
        rssMb: await residentMb(server.pid),
      });
      console.error(JSON.stringify(rows.at(-1)));
    } finally {
      await server.stop();
    }
  }
}

console.log(
  '| round | checks | status req/s alone | p99 ms | status req/s during the flood | p99 ms | /token answers | /token p99 ms | server CPU (cores) | server RSS MB |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.round} | ${r.name} | ${r.aloneRps} | ${r.aloneP99} | ${r.duringRps} | ${r.duringP99} | ${r.tokenAnswers} | ${r.tokenP99} | ${r.serverCores} | ${r.rssMb} |`,
  );
}
