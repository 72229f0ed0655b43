// A minimal integrator page for the builder-configuration browser tests
// (e2e/browser/sdk-builder-configurations.e2e.test.ts). It is served from its own origin, loads the
// SDK from the Pocketproof server the way the query string says, and builds an authenticator with
// exactly the callbacks the query string asks for. Every callback records its call and waits for an
// answer in the prompt form, which the test fills in as a person would.
//
// Query: server=<origin> sdk=iife|esm|pinned finish=1 otp=1 link=off|start|retry
//        role=primary|secondary (withRole is called only when given) style=function|object
// At /landed (the Instant Link's finalTargetUrl) the page runs finishInstantLink(location.href)
// with the configuration the page stored in this browser, if it did.

const CONFIG_KEY = 'harness.config';
const $ = (testId) => document.querySelector(`[data-testid="${testId}"]`);

const calls = [];
const harness = {
  calls,
  outcome: 'loading',
  error: undefined,
  isMobileWeb: undefined,
  start: undefined,
  device: undefined,
};
globalThis.harness = harness;

function readConfig() {
  const query = new URLSearchParams(location.search);
  if (query.has('server')) {
    const config = {
      server: query.get('server'),
      sdk: query.get('sdk') ?? 'iife',
      finish: query.get('finish') === '1',
      otp: query.get('otp') === '1',
      link: query.get('link') ?? 'off',
      role: query.get('role') ?? undefined,
      style: query.get('style') ?? 'function',
    };
    localStorage.setItem(CONFIG_KEY, JSON.stringify(config));
    return config;
  }
  const stored = localStorage.getItem(CONFIG_KEY);
  return stored ? JSON.parse(stored) : undefined;
}

/** The IIFE by a plain script tag, the ES module by import(), or a pinned IIFE with Subresource Integrity. */
async function loadSdk({ server, sdk }) {
  if (sdk === 'esm') return import(`${server}/sdk/pocketproof.mjs`);
  let src = `${server}/sdk/pocketproof.js`;
  let integrity;
  if (sdk === 'pinned') {
    const manifest = await (await fetch(`${server}/sdk/manifest.json`)).json();
    src = `${server}/sdk/v${manifest.version}/pocketproof.js`;
    integrity = manifest.integrity;
  }
  await new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    if (integrity) {
      script.integrity = integrity;
      script.crossOrigin = 'anonymous';
    }
    script.onload = resolve;
    script.onerror = () => reject(new Error(`the SDK did not load from ${src}`));
    document.head.append(script);
  });
  return globalThis.Pocketproof;
}

function record(name, args) {
  calls.push({ name, args });
  const item = document.createElement('li');
  item.dataset.callback = name;
  item.textContent = `${name}(${args.map((arg) => JSON.stringify(arg) ?? 'undefined').join(', ')})`;
  $('calls').append(item);
}

/** Shows the prompt for `callback` and resolves with the button the person pressed and the input's text. */
function ask(callback, text, actions, { input = true } = {}) {
  const form = $('prompt');
  form.dataset.callback = callback;
  form.dataset.state = 'open';
  $('prompt-text').textContent = text;
  $('prompt-input').value = '';
  $('prompt-input').hidden = !input;
  const bar = form.querySelector('.actions');
  bar.replaceChildren();
  form.hidden = false;
  return new Promise((resolve) => {
    actions.forEach(([action, label], index) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.action = action;
      button.textContent = label;
      if (index > 0) button.className = 'secondary';
      button.addEventListener('click', () => {
        closePrompt();
        resolve({ action, value: $('prompt-input').value.trim() });
      });
      bar.append(button);
    });
  });
}

function closePrompt() {
  const form = $('prompt');
  form.hidden = true;
  form.dataset.state = 'closed';
}

const explain = (error) =>
  error ? ` — ${error.message}${error.retryAfterSeconds ? ` (wait ${error.retryAfterSeconds} s)` : ''}` : '';

function callbacks(sdk) {
  const phoneStart = (name) => async (phoneNumberNeeded, phoneError) => {
    record(name, [phoneNumberNeeded, phoneError]);
    const label = phoneNumberNeeded ? 'Your mobile number' : 'Your mobile number (we have one on file)';
    const { action, value } = await ask(name, `${label}${explain(phoneError)}`, [
      ['send', 'Send'],
      ['known', 'Use the number on file'],
    ]);
    return action === 'known' ? null : { phoneNumber: value };
  };
  return {
    finish: ({ authId }) => {
      record('finish', [{ authId }]);
    },
    otpStart: phoneStart('otpStart'),
    linkStart: phoneStart('linkStart'),
    otpFinish: async (otpError) => {
      record('otpFinish', [otpError]);
      const { action, value } = await ask('otpFinish', `The code we texted you${explain(otpError)}`, [
        ['verify', 'Verify'],
        ['resend', 'Resend'],
        ['change', 'Change number'],
      ]);
      if (action === 'resend') return { resultType: sdk.OtpResult.RESEND };
      if (action === 'change') return { resultType: sdk.OtpResult.CHANGE_NUMBER };
      return { resultType: sdk.OtpResult.SUCCESS, input: { otp: value } };
    },
    linkRetry: async (error) => {
      record('linkRetry', [error]);
      const { action } = await ask(
        'linkRetry',
        `Tap the link we texted you${explain(error)}`,
        [
          ['resend', 'Resend link'],
          ['change', 'Change number'],
        ],
        { input: false },
      );
      return action === 'resend' ? sdk.InstantLinkRetry.RESEND : sdk.InstantLinkRetry.CHANGE_NUMBER;
    },
  };
}

function build(sdk, config) {
  const step = (fn) => (config.style === 'object' ? { execute: fn } : fn);
  const made = callbacks(sdk);
  const builder = new sdk.AuthenticatorBuilder();
  if (config.finish) builder.withAuthFinishStep(step(made.finish));
  if (config.otp) builder.withOtpFallback(step(made.otpStart), step(made.otpFinish));
  if (config.link === 'start') builder.withInstantLinkFallback(step(made.linkStart));
  if (config.link === 'retry') builder.withInstantLinkFallback(step(made.linkStart), step(made.linkRetry));
  if (config.role) builder.withRole(config.role);
  return builder.build();
}

function settle(outcome, error) {
  harness.outcome = outcome;
  harness.error = error && { name: error.name, code: error.code, step: error.step, message: error.message };
  const shown = $('outcome');
  shown.dataset.state = outcome;
  shown.textContent = error ? `${outcome}: ${error.message} (code ${error.code})` : outcome;
}

/** Runs a promise of the SDK's and shows how it settled; a promise still waiting shows `running`. */
function track(promise) {
  settle('running');
  promise.then(
    () => {
      closePrompt();
      settle('resolved');
    },
    (error) => {
      closePrompt();
      settle('rejected', error);
    },
  );
}

async function main() {
  const config = readConfig();
  if (!config) {
    // A landing page on a device that never ran this page: the desktop it came from finishes.
    $('config').textContent = 'Verified on this phone: continue on your computer.';
    settle('no-config');
    return;
  }
  const sdk = await loadSdk(config);
  const authenticator = build(sdk, config);
  harness.isMobileWeb = authenticator.isMobileWeb();
  $('config').textContent = `${JSON.stringify(config, null, 1)}\nisMobileWeb: ${harness.isMobileWeb}`;
  if (location.pathname === '/landed') {
    $('outcome-label').textContent = 'finishInstantLink()';
    track(authenticator.finishInstantLink(location.href));
    return;
  }
  harness.start = (authToken) => track(authenticator.authenticate(authToken));
  harness.device = () => ({ registered: authenticator.isDeviceRegistered(), id: authenticator.getDeviceId() });
  settle('ready');
}

main().catch((error) => settle('broken', error));
