#!/usr/bin/env node
// Regenerates the screenshots in docs/screenshots/ from the real thing: it runs `pocketproof serve`
// (with its demo app) on a scratch database, drives Chromium through a desktop Instant Link and a
// mobile SMS-code check, and captures the demo page and the dev phone inbox.
//
//   npm run build && node scripts/screenshots.mjs        (CHROMIUM_PATH overrides /usr/bin/chromium)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, devices } from 'playwright-core';

const OUT = 'docs/screenshots';
const PHONE = '+12025550143';

/** 8080 and 8081 when free, so the pictures show the URLs the README uses. */
async function ports() {
  const free = (port) =>
    new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
  if ((await free(8080)) && (await free(8081))) return [8080, 8081];
  const any = () =>
    new Promise((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address();
        probe.close(() => resolve(port));
      });
    });
  return [await any(), await any()];
}

async function startServer(dir, port, demoPort) {
  const child = spawn(process.execPath, ['packages/server/dist/cli/index.js', 'serve'], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      DEMO_PORT: String(demoPort),
      DATABASE_URL: `sqlite:${join(dir, 'pocketproof.db')}`,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  for (let i = 0; i < 200 && !output.includes('Demo app:'); i++) {
    if (child.exitCode !== null) throw new Error(`the server exited:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const demo = /Demo app:\s+(\S+?)\/?\n/.exec(output)?.[1];
  if (!demo) throw new Error(`no demo app in the banner:\n${output}`);
  return { child, url: `http://localhost:${port}`, demo };
}

async function waitForMessages(server, count) {
  for (let i = 0; i < 200; i++) {
    const response = await fetch(`${server.url}/dev/inbox/messages?to=${encodeURIComponent(PHONE)}`);
    const messages = await response.json();
    if (messages.length >= count) return messages;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`message ${count} did not arrive`);
}

async function openDemo(context, server) {
  const page = await context.newPage();
  await page.goto(`${server.demo}/`);
  await page.locator('html[data-ready="true"]').waitFor();
  return page;
}

const dir = mkdtempSync(join(tmpdir(), 'pocketproof-screenshots-'));
const [port, demoPort] = await ports();
const server = await startServer(dir, port, demoPort);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  mkdirSync(OUT, { recursive: true });
  const screen = { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 };

  // 1. A desktop Instant Link, tapped on the "phone", so the inbox holds a link too.
  const desktop = await browser.newContext(screen);
  const page = await openDemo(desktop, server);
  await page.locator('#tab-desktop').click();
  await page.getByTestId('start').click();
  await page.getByTestId('phone').fill('+1 202 555 0143');
  await page.getByTestId('phone-submit').click();
  await page.getByTestId('link-sent').waitFor();
  const [linkMessage] = await waitForMessages(server, 1);
  const phone = await browser.newContext(devices['Pixel 7']);
  const tap = await phone.newPage();
  await tap.goto(/(http\S+\/il\/\S+)/.exec(linkMessage.body)[1]);
  await tap.getByTestId('landed').waitFor();
  await page.locator('[data-testid=verdict][data-success="true"]').waitFor();
  await desktop.close();

  // 2. A mobile check in a fresh browser: a wrong code first (mid-flow picture), then the right one.
  const mobile = await browser.newContext(screen);
  const demo = await openDemo(mobile, server);
  await demo.getByTestId('start').click();
  await demo.getByTestId('phone').fill('+1 202 555 0143');
  await demo.getByTestId('phone-submit').click();
  const [codeMessage] = await waitForMessages(server, 2);
  const code = /\b(\d{4,8})\b/.exec(codeMessage.body)[1];
  await demo.getByTestId('code').fill(code === '0000' ? '1111' : '0000');
  await demo.getByTestId('verify').click();
  await demo.getByTestId('code-note').filter({ hasText: 'tries left' }).waitFor();
  await demo.getByTestId('code').fill(code);
  await demo.getByTestId('code').blur();
  await demo.screenshot({ path: join(OUT, 'demo-mobile-otp.png'), fullPage: true });
  await demo.getByTestId('verify').click();
  await demo.locator('[data-testid=verdict][data-success="true"]').waitFor();
  await demo.screenshot({ path: join(OUT, 'demo.png'), fullPage: true });
  await mobile.close();

  // 3. The dev phone with both messages; the code is a tappable chip, the link a link.
  const inboxContext = await browser.newContext({ viewport: { width: 640, height: 940 }, deviceScaleFactor: 2 });
  const inbox = await inboxContext.newPage();
  await inbox.goto(`${server.url}/dev/inbox`);
  await inbox.locator('[data-testid=message]').nth(1).waitFor();
  await inbox.waitForTimeout(400); // the new-message animation
  await inbox.screenshot({ path: join(OUT, 'inbox.png') });
  await inboxContext.close();
  console.log(`wrote ${OUT}/demo.png, ${OUT}/demo-mobile-otp.png and ${OUT}/inbox.png`);
} finally {
  await browser.close();
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
