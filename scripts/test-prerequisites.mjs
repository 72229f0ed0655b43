#!/usr/bin/env node
// Run by `npm test` before anything else: the suite needs Debian's Chromium (e2e/browser), a
// PostgreSQL that user `postgres` can reach without a password (the database suites), Redis (the
// flow-event bus) and HAProxy (the multi-node suites). Without them the run would fail minutes
// later, test by test; this says at once what is missing and how to get it. `.ci/run` installs
// and starts all of them before `npm test`, so CI passes straight through.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import pg from 'pg';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const postgresUrl = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const problems = [];

if (!existsSync(chromiumPath)) {
  problems.push(
    [
      `Chromium is missing at ${chromiumPath} (the browser tests in e2e/browser drive it).`,
      '  Get it:  sudo apt-get install chromium',
      '  or point CHROMIUM_PATH at another Chromium binary.',
    ].join('\n'),
  );
}

const postgresProblem = await checkPostgres(postgresUrl);
if (postgresProblem) problems.push(postgresProblem);

if (!onPath('haproxy')) {
  problems.push(
    [
      'HAProxy is missing (the multi-node tests in e2e/multi-node run deploy/haproxy.cfg).',
      '  Get it:  sudo apt-get install haproxy',
    ].join('\n'),
  );
}

if (!(await answers('127.0.0.1', 6379))) {
  problems.push(
    [
      'Redis is not answering at 127.0.0.1:6379 (the flow-event bus tests use it).',
      '  Get it:  sudo apt-get install redis-server && sudo service redis-server start',
    ].join('\n'),
  );
}

if (problems.length > 0) {
  console.error(
    `npm test cannot run yet:\n\n${problems.join('\n\n')}\n\n(.ci/run does all of this on a clean machine.)`,
  );
  process.exit(1);
}

/** Connects and runs `select 1`; on failure, says what went wrong and the commands that fix it. */
async function checkPostgres(url) {
  const where = describe(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    const lines = [`PostgreSQL is not usable at ${where}: ${error.message}`];
    if (error.code === '3D000') {
      lines.push(
        `  Create the database:  createdb -h ${where.host} -p ${where.port} -U ${where.user} ${where.database}`,
      );
    } else if (error.code === '28000' && /role .* does not exist/.test(error.message)) {
      lines.push(`  Create the role:  sudo -u postgres createuser --superuser ${where.user}`);
    } else if (error.code === '28P01' || error.code === '28000') {
      lines.push(
        `  The tests connect as user ${where.user} without a password. Either allow that for local`,
        '  connections (a "trust" line for 127.0.0.1 in pg_hba.conf, then reload PostgreSQL), or set',
        '  PG_TEST_URL=postgres://<user>:<password>@<host>:<port>/<database> to a database you may use.',
      );
    } else {
      lines.push(
        '  Install and start it:  sudo apt-get install postgresql && sudo service postgresql start',
        `  then create the database:  createdb -h ${where.host} -p ${where.port} -U ${where.user} ${where.database}`,
        '  or set PG_TEST_URL to a PostgreSQL you can reach.',
      );
    }
    return lines.join('\n');
  } finally {
    await client.end().catch(() => {});
  }
}

/** The parts of the URL worth showing; never its password. */
function describe(url) {
  const parsed = new URL(url);
  const parts = {
    host: parsed.hostname || 'localhost',
    port: parsed.port || '5432',
    user: decodeURIComponent(parsed.username) || 'postgres',
    database: parsed.pathname.slice(1) || 'postgres',
  };
  return { ...parts, toString: () => `${parts.host}:${parts.port} (user ${parts.user}, database ${parts.database})` };
}

function onPath(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether something accepts a TCP connection there within a second. */
function answers(host, port) {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true)).once('error', () => done(false));
  });
}
