/**
 * The demo's HTML. Only attribute-escaped values from this process are interpolated (the nonce,
 * the Pocketproof origin, the SDK's integrity hash, an authId from the landing URL); every script
 * and style is a separate file, so the CSP needs no 'unsafe-inline'.
 */

/** @param {string | number} value */
const escapeHtml = (value) =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const HEAD = `<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/demo.css">`;

/**
 * @param {{ nonce: string, pocketproofUrl: string, integrity: string | undefined }} options
 */
export function mainPage({ nonce, pocketproofUrl, integrity }) {
  const n = escapeHtml(nonce);
  const pp = escapeHtml(pocketproofUrl);
  const sri = integrity ? ` integrity="${escapeHtml(integrity)}" crossorigin="anonymous"` : '';
  return `<!doctype html>
<html lang="en">
<head>
${HEAD}
<title>Pocketproof demo</title>
<script nonce="${n}" src="${pp}/sdk/pocketproof.js"${sri} defer></script>
<script nonce="${n}" src="/demo.js" defer></script>
</head>
<body data-pocketproof-url="${pp}">
<header class="topbar">
  <div class="brand"><span class="logo" aria-hidden="true">P</span><span>Pocketproof</span><span class="tag">demo app</span></div>
  <a class="inbox-link" href="${pp}/dev/inbox" target="pocketproof-inbox" rel="noopener" aria-label="Open the dev phone" data-testid="inbox-link">
    <svg viewBox="0 0 24 24" aria-hidden="true"><rect x="6" y="2.5" width="12" height="19" rx="2.5" fill="none" stroke="currentColor" stroke-width="2"/><path d="M10.5 18.5h3" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>
    <span class="long">Open the dev phone</span><span class="short">Dev phone</span>
  </a>
</header>

<main class="layout">
  <section class="intro">
    <h1>Prove you hold a phone number</h1>
    <p>This page is a small integrator app on its own origin. Its backend gets an access token with
    the <code>demo</code> client and calls <code>/v3/unify</code>; this page hands the <code>authToken</code> to the
    Pocketproof SDK; the backend reads the verdict from <code>/v3/unify-status</code>. Text messages land
    in the <a href="${pp}/dev/inbox" target="pocketproof-inbox" rel="noopener">dev phone</a>.</p>
  </section>

  <section class="card flow" aria-label="Verification">
    <div class="tabs" role="tablist" aria-label="Possession type">
      <button type="button" role="tab" id="tab-mobile" data-flow="mobile" aria-selected="true" aria-controls="panel"><strong>Mobile</strong><small>SMS code</small></button>
      <button type="button" role="tab" id="tab-desktop" data-flow="desktop" aria-selected="false" aria-controls="panel" tabindex="-1"><strong>Desktop</strong><small>Instant Link</small></button>
      <button type="button" role="tab" id="tab-none" data-flow="none" aria-selected="false" aria-controls="panel" tabindex="-1"><strong>None</strong><small>then bind</small></button>
    </div>

    <div id="panel" class="panel" role="tabpanel" aria-labelledby="tab-mobile" aria-live="polite">
      <div class="view" data-view="intro">
        <h2 id="intro-title"></h2>
        <p id="intro-text" class="lead"></p>
        <ol id="intro-steps" class="steps"></ol>
        <label class="check" id="retry-option"><input type="checkbox" id="allow-retry" checked> Allow re-entering a wrong code <code>allowOTPRetry</code></label>
        <button type="button" class="primary" id="start" data-testid="start">Start</button>
      </div>

      <form class="view" data-view="phone" id="phone-form" hidden novalidate>
        <h2>What's your mobile number?</h2>
        <p class="lead" id="phone-lead"></p>
        <label class="field"><span>Mobile number</span>
          <input id="phone" name="phone" type="tel" autocomplete="tel" inputmode="tel" required value="+1 202 555 0143" data-testid="phone">
        </label>
        <p class="note error" id="phone-error" role="alert" data-testid="phone-error" hidden></p>
        <div class="actions"><button type="submit" class="primary" id="phone-submit" data-testid="phone-submit">Text me a code</button></div>
      </form>

      <form class="view" data-view="code" id="code-form" hidden novalidate>
        <h2>Enter the code</h2>
        <p class="lead">We texted a code to <strong class="sent-to"></strong>. Find it in the <a href="${pp}/dev/inbox" target="pocketproof-inbox" rel="noopener">dev phone</a>.</p>
        <label class="field"><span>Code</span>
          <input id="code" name="code" class="code-input" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required data-testid="code">
        </label>
        <p class="note" id="code-note" role="status" data-testid="code-note" hidden></p>
        <div class="actions">
          <button type="submit" class="primary" data-testid="verify">Verify</button>
          <button type="button" class="ghost" id="code-resend" data-testid="resend">Resend code</button>
          <button type="button" class="ghost" id="code-change" data-testid="change-number">Change number</button>
        </div>
      </form>

      <div class="view" data-view="link" hidden>
        <div class="waiting"><span class="spinner" aria-hidden="true"></span><h2>Tap the link on your phone</h2></div>
        <p class="lead" data-testid="link-sent">We texted a link to <strong class="sent-to"></strong> — tap it on your phone (here: in the <a href="${pp}/dev/inbox" target="pocketproof-inbox" rel="noopener">dev phone</a>). This page finishes by itself.</p>
        <p class="note" id="link-note" role="status" data-testid="link-note" hidden></p>
        <div class="actions">
          <button type="button" class="ghost" id="link-resend" data-testid="resend">Resend link</button>
          <button type="button" class="ghost" id="link-change" data-testid="change-number">Change number</button>
        </div>
      </div>

      <div class="view" data-view="working" hidden>
        <div class="waiting"><span class="spinner" aria-hidden="true"></span><h2 id="working-text">Working…</h2></div>
      </div>

      <div class="view" data-view="result" hidden>
        <div class="result" id="result" data-testid="result">
          <span class="result-icon" aria-hidden="true"></span>
          <div><h2 id="result-title"></h2><p id="result-text" class="lead"></p></div>
        </div>
        <form id="bind-form" class="bind" hidden novalidate>
          <label class="field"><span>The number you verified yourself</span>
            <input id="bind-phone" type="tel" autocomplete="tel" inputmode="tel" value="+1 202 555 0143" data-testid="bind-phone">
          </label>
          <p class="note error" id="bind-error" role="alert" hidden></p>
          <div class="actions"><button type="submit" class="primary" data-testid="bind">I verified this number myself — bind it</button></div>
        </form>
        <div class="actions"><button type="button" class="secondary" id="again" data-testid="again">Start again</button></div>
      </div>
    </div>
  </section>

  <aside class="side">
    <section class="card verdict" aria-labelledby="verdict-title">
      <div class="card-head"><h2 id="verdict-title">Verdict</h2><span class="pill" id="verdict-pill" data-testid="verdict" data-success="">none yet</span></div>
      <p class="muted small">What your backend read from <code>POST /v3/unify-status</code>:</p>
      <pre id="verdict-json" data-testid="verdict-json">{}</pre>
      <p class="flow-id" id="flow-id" data-testid="flow-id" hidden></p>
    </section>

    <section class="card device" aria-labelledby="device-title">
      <div class="card-head"><h2 id="device-title">This browser</h2><span class="pill" id="device-pill" data-testid="device-state">no device key</span></div>
      <p class="muted small" id="device-text">A mobile or none flow places a device key here (WebCrypto, kept in IndexedDB); once it is bound to a number, the next check finishes without an SMS.</p>
      <p class="device-id" id="device-id" data-testid="device-id" hidden></p>
      <button type="button" class="secondary" id="forget" data-testid="forget" hidden>Forget this device</button>
    </section>

    <section class="card log" aria-labelledby="log-title">
      <h2 id="log-title">What happened</h2>
      <ol id="log" class="timeline" data-testid="log"><li class="muted">Pick a possession type and press Start.</li></ol>
    </section>
  </aside>
</main>
<p class="sdk-error" id="sdk-error" role="alert" hidden>The Pocketproof SDK did not load from <code>${pp}/sdk/pocketproof.js</code>. Is the server running?</p>
</body>
</html>
`;
}

/**
 * Where the phone lands after tapping an Instant Link (the desktop flow's `finalTargetUrl`):
 * Pocketproof appended `authId` and `asc`. The desktop page has finished by itself; here the
 * person only needs to know it worked.
 * @param {{ asc: string | null, authId: string | null, pocketproofUrl: string }} options
 */
export function landedPage({ asc, authId }) {
  const ok = asc === 'true';
  const title = ok ? 'Verified — continue on your computer' : 'This link did not verify you';
  const text = ok
    ? 'Your phone number is confirmed. The page on your computer has already moved on; you can close this one.'
    : 'The link was already used, replaced by a newer one, or expired. Go back to your computer and ask for a new link.';
  return `<!doctype html>
<html lang="en">
<head>
${HEAD}
<title>${escapeHtml(title)}</title>
</head>
<body class="landed">
<main class="card landing" data-testid="landed" data-asc="${ok}">
  <span class="result-icon ${ok ? 'ok' : 'fail'}" aria-hidden="true"></span>
  <h1>${escapeHtml(title)}</h1>
  <p>${escapeHtml(text)}</p>
  <p class="muted small">Pocketproof redirected here with <code>asc=${ok}</code>${authId ? ` and <code>authId=${escapeHtml(authId.slice(0, 64))}</code>` : ''}.</p>
</main>
</body>
</html>
`;
}
