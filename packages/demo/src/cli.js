#!/usr/bin/env node
// Runs the demo against any Pocketproof (or Prove-compatible) server:
//   POCKETPROOF_URL=http://localhost:8080 CLIENT_ID=… CLIENT_SECRET=… DEMO_PORT=8081 pocketproof-demo
// `npm start` does this for you in development, with the demo client it creates.
import { startDemo } from './demo-server.js';

const { POCKETPROOF_URL, CLIENT_ID, CLIENT_SECRET, DEMO_PORT = '8081', DEMO_HOST = '127.0.0.1' } = process.env;
if (!POCKETPROOF_URL || !CLIENT_ID || !CLIENT_SECRET) {
  console.error('set POCKETPROOF_URL, CLIENT_ID and CLIENT_SECRET (and optionally DEMO_PORT, DEMO_HOST)');
  process.exit(2);
}
const demo = await startDemo({
  port: Number(DEMO_PORT),
  host: DEMO_HOST,
  pocketproofUrl: POCKETPROOF_URL,
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
});
console.log(`Demo app: ${demo.url}/ (Pocketproof at ${POCKETPROOF_URL})`);
const stop = () => demo.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
