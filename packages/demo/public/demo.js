// The demo page: what an integrator's front end does with the Pocketproof SDK. Its backend
// (/api/*) starts a check and reads the verdict; this script hands the authToken to the SDK and
// answers the SDK's callbacks (a phone number, a code, resend, change number) from the page.
(() => {
  const $ = (id) => document.getElementById(id);
  const SDK = window.Pocketproof;

  const FLOWS = {
    mobile: {
      title: 'Mobile: a code by SMS',
      text: 'Your backend starts a mobile check. If this browser holds a device key bound to a number, the check finishes silently; otherwise the SDK asks for a number and Pocketproof texts a code.',
      phoneLead:
        'Pocketproof texts a one-time code to it. In development the text lands in the dev phone, so any valid US mobile number works.',
      send: 'Text me a code',
      working: "Checking this browser's device key…",
      steps: [
        'Press Start and enter a mobile number.',
        'Open the dev phone and tap the code: it is copied.',
        'Paste it here and press Verify. Then run it again: this browser’s key finishes silently.',
      ],
    },
    desktop: {
      title: 'Desktop: an Instant Link',
      text: 'Pocketproof texts a link. Tap it on your phone and this page, waiting on a WebSocket, finishes by itself; the phone lands on this app’s /landed page.',
      phoneLead:
        'Pocketproof texts a link to it. In development the text lands in the dev phone, so any valid US mobile number works.',
      send: 'Text me a link',
      working: 'Opening the channel this page waits on…',
      steps: [
        'Press Start and enter a mobile number.',
        'Open the dev phone and tap the link, as you would on your phone.',
        'This page finishes by itself; the phone lands on this app.',
      ],
    },
    none: {
      title: 'None: bring your own check',
      text: 'This browser only places (or verifies) its device key. Pocketproof answers possession_required; you prove the number your own way, then your backend binds the key to it.',
      working: "Placing this browser's device key…",
      steps: [
        'Press Start: this browser places its device key.',
        'Pocketproof answers possession_required.',
        'Vouch for a number and bind it. Then run it again: the key alone proves it.',
      ],
    },
  };

  /** Prompt codes that ask for another phone number; other prompts on a send are refusals. */
  const PHONE_PROMPTS = [1001, 1002, 1003];

  let flow = 'mobile';
  /** Each start, restart or tab change is a new run; answers meant for an older run are dropped. */
  let run = 0;
  let pending = null;
  let current = null;
  let cooldownTimer = 0;
  /** The result on show, so that "Forget this device" can correct what it says about the key. */
  let shown = null;
  /** Set when this browser forgot its key after the result on show was reached. */
  let keyForgotten = false;

  // ---- small DOM helpers -------------------------------------------------------------------
  function show(view) {
    for (const node of document.querySelectorAll('[data-view]')) node.hidden = node.dataset.view !== view;
  }
  function working(text) {
    $('working-text').textContent = text;
    show('working');
  }
  function note(id, text, kind) {
    const node = $(id);
    node.hidden = !text;
    node.textContent = text || '';
    node.className = `note${kind ? ` ${kind}` : ''}`;
  }
  /** Text with `backticks` around code; an id in backticks is shown whole, with a copy button. */
  function rich(node, text) {
    node.textContent = '';
    text.split('`').forEach((part, i) => {
      if (!part) return;
      if (i % 2) node.appendChild(ID.test(part) ? copyable(part) : Object.assign(code(), { textContent: part }));
      else node.appendChild(document.createTextNode(part));
    });
    return node;
  }
  const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const code = () => document.createElement('code');
  /** Ids are what support tools take (`pocketproof flows show <correlationId>`): whole, and one click copies. */
  function copyable(id) {
    const button = Object.assign(document.createElement('button'), { type: 'button', className: 'copy-id' });
    button.title = 'Copy';
    button.dataset.copy = id;
    button.setAttribute('aria-label', `Copy ${id}`);
    button.appendChild(Object.assign(code(), { textContent: id }));
    return button;
  }
  document.addEventListener('click', async (event) => {
    const button = event.target instanceof Element ? event.target.closest('button.copy-id') : null;
    if (!button) return;
    try {
      await navigator.clipboard.writeText(button.dataset.copy);
      button.classList.add('copied');
      setTimeout(() => button.classList.remove('copied'), 1500);
    } catch {
      // No clipboard (an insecure origin, a denied permission): select the id for a manual copy.
      getSelection().selectAllChildren(button.firstChild);
    }
  });
  function log(text, kind) {
    const list = $('log');
    if (list.querySelector('.muted')) list.textContent = '';
    const item = document.createElement('li');
    if (kind) item.className = kind;
    const time = document.createElement('time');
    time.textContent = new Date().toLocaleTimeString([], {
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    item.append(time, rich(document.createElement('span'), text));
    list.appendChild(item);
  }
  function clearLog() {
    $('log').textContent = '';
  }
  const pretty = (phone) => {
    const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phone || '');
    return m ? `+1 ${m[1]} ${m[2]} ${m[3]}` : phone || '';
  };

  function renderJson(pre, value) {
    pre.textContent = '';
    const text = JSON.stringify(value, null, 2);
    const token = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|-?\d+(?:\.\d+)?/g;
    let last = 0;
    for (const match of text.matchAll(token)) {
      pre.appendChild(document.createTextNode(text.slice(last, match.index)));
      const span = document.createElement('span');
      span.className = match[2] ? 'j-key' : match[1] ? 'j-str' : match[3] ? 'j-lit' : 'j-num';
      span.textContent = match[1] ?? match[0];
      pre.appendChild(span);
      if (match[2]) pre.appendChild(document.createTextNode(match[2]));
      last = match.index + match[0].length;
    }
    pre.appendChild(document.createTextNode(text.slice(last)));
  }
  function setVerdict(status) {
    const pill = $('verdict-pill');
    pill.dataset.success = status ? status.success : '';
    pill.textContent = status ? status.success : 'none yet';
    renderJson($('verdict-json'), status || {});
  }

  // ---- the backend of this app ---------------------------------------------------------------
  async function api(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch {
      return { ok: false, body: { message: 'the demo backend is not reachable' } };
    }
    const answer = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, body: answer };
  }

  // ---- prompts: the SDK awaits these, the page resolves them -----------------------------------
  function ask(kind) {
    const mine = run;
    return new Promise((resolve) => {
      pending = { kind, run: mine, resolve };
    });
  }
  function answer(kind, value) {
    if (!pending || pending.kind !== kind || pending.run !== run) return;
    const { resolve } = pending;
    pending = null;
    stopCooldown();
    resolve(value);
  }

  function stopCooldown() {
    clearInterval(cooldownTimer);
    cooldownTimer = 0;
    for (const id of ['code-resend', 'link-resend', 'phone-submit']) {
      const button = $(id);
      button.disabled = false;
      if (button.dataset.label) button.textContent = button.dataset.label;
      delete button.dataset.label;
    }
  }
  /** Seconds as a person reads a wait: "40 s", "12 min", "27 h" (rounded up). */
  function formatWait(seconds) {
    if (seconds < 60) return `${seconds} s`;
    if (seconds < 3600) return `${Math.ceil(seconds / 60)} min`;
    return `${Math.ceil(seconds / 3600)} h`;
  }

  /** The server's reason without its own "Try again …" sentence, which the countdown replaces. */
  const reasonOf = (message) => message.replace(/\s*Try again\b[^.]*\.$/, '');

  /**
   * The server said when the next message may be sent (or, 1102, codes entered again); count down
   * to it and hold the button. A refusal other than the resend cooldown (1004) is a limit: the
   * server's words say which, and the countdown says when.
   */
  function cooldown(buttonId, noteId, error, noun) {
    const seconds = error.retryAfterSeconds;
    stopCooldown();
    const button = $(buttonId);
    button.dataset.label ||= button.textContent;
    const verb = buttonId === 'phone-submit' ? 'Try again' : 'Resend';
    const until = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        stopCooldown();
        note(noteId, `You can ask for a new ${noun} now.`, 'info');
        return;
      }
      button.disabled = true;
      button.textContent = `${verb} in ${formatWait(left)}`;
      const text =
        error.code === 1004
          ? `Too soon for a new ${noun}: wait ${formatWait(left)}. The ${noun} already sent still works.`
          : `${reasonOf(error.message)} Try again in ${formatWait(left)}.`;
      note(noteId, text, 'wait');
    };
    tick();
    cooldownTimer = setInterval(tick, 250);
  }
  /** A refusal in the log: the server's words, the limit's configuration key, and the wait. */
  function logRefusal(what, error) {
    const limit = error.limit ? ` (\`${error.limit}\`)` : '';
    const wait = error.retryAfterSeconds ? `: \`wait ${error.retryAfterSeconds} s\`` : '';
    log(`${what} by the server${limit}${wait}. ${error.message}`, 'warn');
  }

  async function askPhone(needed, error) {
    if (!needed) return null;
    const mine = run;
    const copy = FLOWS[flow];
    $('phone-lead').textContent = copy.phoneLead;
    stopCooldown();
    $('phone-submit').textContent = copy.send;
    const noun = flow === 'desktop' ? 'link' : 'code';
    if (error?.retryAfterSeconds) {
      cooldown('phone-submit', 'phone-error', error, noun);
      logRefusal(`The ${noun} was not sent: refused`, error);
    } else if (error && !PHONE_PROMPTS.includes(error.code)) {
      note('phone-error', error.message, 'error');
      logRefusal(`The ${noun} was not sent: refused`, error);
    } else {
      note('phone-error', error ? error.message : '', 'error');
      if (error) log(`Pocketproof refused the number: ${error.message}`, 'bad');
    }
    refreshDevice(); // the SDK has placed its key by now (mobile), not yet bound to a number
    show('phone');
    $('phone').focus();
    const phone = await ask('phone');
    if (mine !== run) return new Promise(() => {});
    current.phone = phone;
    current.askedPhone = true;
    working(flow === 'desktop' ? 'Texting the link…' : 'Texting the code…');
    return { phoneNumber: phone };
  }

  async function askCode(error) {
    const mine = run;
    show('code');
    for (const node of document.querySelectorAll('.sent-to')) node.textContent = pretty(current.phone);
    if (error?.retryAfterSeconds) {
      cooldown('code-resend', 'code-note', error, 'code');
      logRefusal(error.code === 1102 ? 'Code entries paused' : 'Resend refused', error);
    } else if (error?.code === 1005) {
      note('code-note', error.message, 'error');
      logRefusal('Resend refused', error);
    } else if (error?.code === 1103) {
      note('code-note', error.message, 'error');
    } else if (error) {
      if (typeof error.attemptsLeft === 'number') current.attemptsLeft = error.attemptsLeft;
      note('code-note', error.message, 'error');
      log(`Wrong code: ${error.message}`, 'bad');
    } else if (current.lastAction === 'resend') {
      note('code-note', `We sent a new code to ${pretty(current.phone)}. The previous one no longer works.`, 'info');
      log(`New code texted to ${pretty(current.phone)}`);
    } else {
      note('code-note', '');
      log(`Code texted to ${pretty(current.phone)} (see the dev phone)`);
    }
    const input = $('code');
    input.value = '';
    input.focus();
    const result = await ask('code');
    if (mine !== run) return new Promise(() => {});
    current.lastAction = ['verify', 'resend', 'change'][result.resultType];
    if (result.resultType === SDK.OtpResult.SUCCESS) working('Checking the code…');
    else if (result.resultType === SDK.OtpResult.RESEND) working('Asking for a new code…');
    return result;
  }

  async function askLinkRetry(error) {
    const mine = run;
    show('link');
    for (const node of document.querySelectorAll('.sent-to')) node.textContent = pretty(current.phone);
    if (error?.retryAfterSeconds) {
      cooldown('link-resend', 'link-note', error, 'link');
      logRefusal('Resend refused', error);
    } else if (error) {
      note('link-note', error.message, 'error');
      if (error.code === 1005) logRefusal('Resend refused', error);
    } else if (current.lastAction === 'resend') {
      note('link-note', 'We sent a new link. The previous one no longer works.', 'info');
      log(`New link texted to ${pretty(current.phone)}`);
    } else {
      note('link-note', '');
      log(`Link texted to ${pretty(current.phone)}; this page waits for the tap`);
    }
    const choice = await ask('link');
    if (mine !== run) return new Promise(() => {});
    current.lastAction = choice === SDK.InstantLinkRetry.RESEND ? 'resend' : 'change';
    return choice;
  }

  // ---- one verification ---------------------------------------------------------------------
  async function start() {
    const mine = ++run;
    pending = null;
    stopCooldown();
    // attemptsLeft: entries left for the code on show, as the server last said (one without allowOTPRetry).
    const allowRetry = flow === 'mobile' && $('allow-retry').checked;
    current = {
      flow,
      phone: null,
      askedPhone: false,
      lastAction: null,
      authId: null,
      attemptsLeft: allowRetry ? null : 1,
    };
    shown = null;
    keyForgotten = false;
    clearLog();
    showFlowId(null);
    working('Asking the backend to start a check…');
    const request = { possessionType: flow, ...(flow === 'mobile' ? { allowOTPRetry: $('allow-retry').checked } : {}) };
    const started = await api('/api/start', request);
    if (mine !== run) return;
    if (!started.ok) {
      log(`The backend could not start: ${started.body.message || `HTTP ${started.status}`}`, 'bad');
      return showResult({ success: 'error', message: started.body.message });
    }
    current.correlationId = started.body.correlationId;
    showFlowId(current.correlationId);
    log(`Backend → \`POST /v3/unify\` (${flow}) → \`pending\`, correlationId \`${current.correlationId}\``);
    await readStatus(mine);
    working(FLOWS[flow].working);

    const authenticator = new SDK.AuthenticatorBuilder()
      .withAuthFinishStep(({ authId }) => {
        if (mine === run) current.authId = authId;
      })
      .withOtpFallback(askPhone, askCode)
      .withInstantLinkFallback(askPhone, askLinkRetry)
      .build();
    let failure;
    try {
      await authenticator.authenticate(started.body.authToken);
    } catch (error) {
      failure = error;
    }
    if (mine !== run) return;
    if (failure) log(`The SDK stopped: ${failure.message}`, 'bad');
    else if (current.authId) log(`SDK finished (authId \`${current.authId}\`); the backend asks for the verdict`);
    working('Reading the verdict…');
    const status = await readStatus(mine);
    refreshDevice();
    if (status) showResult(status, failure);
  }

  async function readStatus(mine) {
    const answer = await api('/api/status', { correlationId: current.correlationId });
    if (mine !== run) return undefined;
    if (!answer.ok) {
      log(`\`/v3/unify-status\` failed: ${answer.body.message}`, 'bad');
      return undefined;
    }
    setVerdict(answer.body);
    if (answer.body.success !== 'pending')
      log(`Backend → \`POST /v3/unify-status\` → \`${answer.body.success}\``, verdictKind(answer.body.success));
    return answer.body;
  }
  const verdictKind = (success) => ({ true: 'good', false: 'bad', possession_required: 'warn' })[success];

  /** The flow's correlationId under the verdict, whole, for `pocketproof flows show`. */
  function showFlowId(id) {
    $('flow-id').hidden = !id;
    rich($('flow-id'), id ? `correlationId \`${id}\`` : '');
  }

  function showResult(status, failure) {
    // A tap on the phone can end the check while a prompt (and its cooldown) is still showing.
    pending = null;
    stopCooldown();
    shown = { status, failure };
    const result = $('result');
    result.dataset.success = status.success;
    const phone = pretty(status.phoneNumber);
    let title;
    let text;
    $('bind-form').hidden = true;
    switch (status.success) {
      case 'true':
        title = `Verified ${phone}`;
        text =
          current.flow === 'desktop'
            ? 'The tap on the phone proved it; this page finished on its own.'
            : current.flow === 'none'
              ? current.bound
                ? 'You vouched for the number and the backend bound this browser’s key to it: next time the key alone proves it.'
                : 'This browser’s device key is bound to this number, so it proved possession without any SMS.'
              : current.askedPhone
                ? 'The SMS code proved it, and this browser’s device key is now bound to the number: the next check here needs no SMS.'
                : 'This browser’s device key proved it silently: no SMS was sent.';
        if (keyForgotten && current.flow !== 'desktop')
          text =
            'The number was verified. This browser has since forgotten its device key, so the next check here starts again without one.';
        if (current.flow === 'mobile' && !current.askedPhone && !keyForgotten)
          log('The device key proved the number: no SMS needed', 'good');
        break;
      case 'false':
        title = 'Not verified';
        text = failure
          ? `${capitalised(failure.message)}${/[.!]$/.test(failure.message) ? '' : '.'} Start again for a new ${current.flow === 'desktop' ? 'link' : 'code'}.`
          : lastEntryText();
        break;
      case 'possession_required':
        title = 'Possession required';
        text =
          'This browser’s device key is in place but bound to no number. Prove the number your own way (here: you vouch for it), then bind the key to it.';
        if (keyForgotten) {
          text =
            'This browser has since forgotten its device key, so there is nothing left to bind. Start again to place a new one.';
          break;
        }
        $('bind-form').hidden = false;
        note('bind-error', '');
        break;
      case 'pending':
        title = 'Not finished';
        text = failure
          ? `The SDK stopped before the check finished: ${failure.message}`
          : 'The check has not finished.';
        break;
      default:
        title = 'Could not start';
        text = status.message || 'The demo backend could not reach Pocketproof.';
    }
    $('result-title').textContent = title;
    $('result-text').textContent = text;
    show('result');
  }

  const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);

  /**
   * Why a check ended false. The SDK ends quietly on the server's final error (as Prove's does), so
   * the page tells from what it saw: the code entered was the last one allowed, or it came too late.
   */
  function lastEntryText() {
    if (current.flow === 'desktop') return 'The link expired or was already used. Start again for a new link.';
    if (current.lastAction === 'verify' && current.attemptsLeft === 1)
      return 'The code is not correct and no tries are left. Start again for a new code.';
    if (current.lastAction === 'verify')
      return 'The code was refused: it had expired (codes work for a few minutes) or was replaced by a newer one. Start again for a new code.';
    return 'The code or link was wrong, expired or used up. Start again to try once more.';
  }

  // ---- this browser's device key -------------------------------------------------------------
  const keys = SDK ? new SDK.AuthenticatorBuilder().build() : null;
  function refreshDevice() {
    const id = keys ? keys.getDeviceId() : null;
    $('device-pill').textContent = id ? 'device key registered' : 'no device key';
    $('device-pill').dataset.registered = String(Boolean(id));
    $('device-id').hidden = !id;
    rich($('device-id'), id ? `deviceId \`${id}\`` : '');
    $('forget').hidden = !id;
  }

  // ---- wiring --------------------------------------------------------------------------------
  function selectFlow(next) {
    flow = next;
    run++;
    pending = null;
    stopCooldown();
    for (const tab of document.querySelectorAll('[role=tab]')) {
      const selected = tab.dataset.flow === flow;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    $('panel').setAttribute('aria-labelledby', `tab-${flow}`);
    $('intro-title').textContent = FLOWS[flow].title;
    $('intro-text').textContent = FLOWS[flow].text;
    $('intro-steps').replaceChildren(
      ...FLOWS[flow].steps.map((step) => Object.assign(document.createElement('li'), { textContent: step })),
    );
    $('retry-option').hidden = flow !== 'mobile';
    show('intro');
  }

  const tabs = [...document.querySelectorAll('[role=tab]')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => selectFlow(tab.dataset.flow));
    tab.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
      next.focus();
      selectFlow(next.dataset.flow);
    });
  }
  $('start').addEventListener('click', () => start());
  $('again').addEventListener('click', () => selectFlow(flow));

  $('phone-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const phone = $('phone').value.replace(/[\s().-]/g, '');
    if (!phone) return note('phone-error', 'Enter a mobile number.', 'error');
    answer('phone', phone);
  });
  $('code-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const otp = $('code').value.replace(/\s/g, '');
    if (!otp) return note('code-note', 'Enter the code from the SMS.', 'error');
    // A slip of the keyboard is caught here, before it reaches the server (which would not count it either).
    if (!/^\d+$/.test(otp))
      return note('code-note', 'The code is digits only: enter the digits from the SMS.', 'error');
    answer('code', { resultType: SDK.OtpResult.SUCCESS, input: { otp } });
  });
  $('code-resend').addEventListener('click', () => answer('code', { resultType: SDK.OtpResult.RESEND }));
  $('code-change').addEventListener('click', () => answer('code', { resultType: SDK.OtpResult.CHANGE_NUMBER }));
  $('link-resend').addEventListener('click', () => {
    note('link-note', 'Asking for a new link…', 'info');
    answer('link', SDK.InstantLinkRetry.RESEND);
  });
  $('link-change').addEventListener('click', () => answer('link', SDK.InstantLinkRetry.CHANGE_NUMBER));

  $('bind-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const mine = run;
    const phoneNumber = $('bind-phone').value.replace(/[\s().-]/g, '');
    const bound = await api('/api/bind', { correlationId: current.correlationId, phoneNumber });
    if (mine !== run) return;
    if (!bound.ok) return note('bind-error', bound.body.message || `HTTP ${bound.status}`, 'error');
    current.bound = true;
    log(
      `Backend → \`POST /v3/unify-bind\` ${pretty(phoneNumber)} → \`${bound.body.success}\`, deviceId \`${bound.body.deviceId}\``,
      'good',
    );
    const status = await readStatus(mine);
    if (status) showResult(status);
  });

  $('forget').addEventListener('click', async () => {
    const button = $('forget');
    button.disabled = true;
    try {
      await keys.unregisterDevice();
      log('SDK → signed `POST /v1/client/device/unregister`: the server revoked this key and the browser forgot it');
      // What the result on show says about this browser's key is no longer so.
      keyForgotten = true;
      if (shown && !document.querySelector('[data-view=result]').hidden) showResult(shown.status, shown.failure);
    } catch (error) {
      log(`Could not forget this device: ${error.message}`, 'bad');
    } finally {
      button.disabled = false;
      refreshDevice();
    }
  });

  if (!SDK) {
    $('sdk-error').hidden = false;
    $('start').disabled = true;
  }
  selectFlow('mobile');
  refreshDevice();
  document.documentElement.dataset.ready = 'true';
})();
