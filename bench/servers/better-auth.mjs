// The peer: better-auth's phone-number plugin on better-sqlite3 (send OTP + verify), standalone
// under node:http as its docs show. `sendOTP` records the code so the load generator can read it,
// as Pocketproof's dev inbox does. Its rate limiter is off, like Pocketproof's limits in the bench.

import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { phoneNumber } from 'better-auth/plugins';
import Database from 'better-sqlite3';

const database = new Database(join(mkdtempSync(join(tmpdir(), 'bench-better-auth-')), 'auth.db'));
database.pragma('journal_mode = WAL');
database.pragma('synchronous = NORMAL');
const codes = new Map();

const auth = betterAuth({
  database,
  secret: 'bench-secret-bench-secret-bench-secret',
  baseURL: `http://127.0.0.1:${process.env.PORT}`,
  rateLimit: { enabled: false },
  plugins: [
    phoneNumber({
      sendOTP: ({ phoneNumber: phone, code }) => {
        codes.set(phone, code);
      },
      signUpOnVerification: { getTempEmail: (phone) => `${phone.replace('+', '')}@bench.example` },
    }),
  ],
});
await (await getMigrations(auth.options)).runMigrations();

const handler = toNodeHandler(auth);
createServer((request, response) => {
  if (request.url?.startsWith('/test/code')) {
    const phone = new URL(request.url, 'http://x').searchParams.get('phone');
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ code: codes.get(phone) ?? null }));
    return;
  }
  handler(request, response);
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
