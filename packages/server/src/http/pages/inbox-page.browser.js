// The dev inbox page's script (GET /dev/inbox): polls /dev/inbox/messages and renders a phone's
// message list. A classic script, inlined by inbox-page.ts under the page's CSP nonce. Message
// bodies are untrusted text: the DOM is built with textContent and createElement only, and only
// http(s) URLs become links.
// biome-ignore lint/suspicious/noRedundantUseStrict: a classic script, not a module: strict mode is asked for here.
'use strict';
(() => {
  const POLL_MS = 2000;
  const byId = (id) => document.getElementById(id);
  const convsWrap = byId('convs-wrap'),
    convList = byId('convs'),
    head = byId('thread-head'),
    threadTo = byId('thread-to');
  const scroller = byId('scroll'),
    list = byId('messages'),
    empty = byId('empty'),
    live = byId('live');
  const toast = byId('toast'),
    announcer = byId('announce'),
    clock = byId('clock');
  const baseTitle = document.title;
  const convEls = new Map(),
    msgEls = new Map(),
    known = new Set(),
    seen = new Set();
  let messages = [],
    selected = null,
    pinned = false,
    loaded = false,
    shownFor = null,
    hiddenNew = 0;
  let timer = 0,
    inflight = false,
    toastTimer = 0;

  const endpoint = new URL('/dev/inbox/messages', location.origin);
  endpoint.searchParams.set('limit', '200');
  const filter = new URLSearchParams(location.search).get('to');
  if (filter) endpoint.searchParams.set('to', filter.replace(/^ /, '+').trim()); // URLSearchParams encodes + as %2B

  const NS = 'http://www.w3.org/2000/svg';
  const ICONS = {
    person: 'M12 12a4.2 4.2 0 1 0 0-8.4 4.2 4.2 0 0 0 0 8.4Zm0 1.9c-4.3 0-7.8 2.2-7.8 5v.9h15.6v-.9c0-2.8-3.5-5-7.8-5Z',
    copy: 'M9 9h10v11H9zM5 15V4h10',
  };
  function icon(name, stroke) {
    const svg = document.createElementNS(NS, 'svg'),
      path = document.createElementNS(NS, 'path');
    const set = (node, attrs) => {
      for (const key in attrs) node.setAttribute(key, attrs[key]);
    };
    set(svg, { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' });
    set(
      path,
      stroke
        ? { d: ICONS[name], fill: 'none', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linejoin': 'round' }
        : { d: ICONS[name], fill: 'currentColor' },
    );
    svg.appendChild(path);
    return svg;
  }
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function formatNumber(n) {
    const m = /^\+(\d{6,15})$/.exec(n);
    if (!m) return n;
    const d = m[1];
    if (d.length === 11 && d[0] === '1') return `+1 (${d.slice(1, 4)}) ${d.slice(4, 7)}-${d.slice(7)}`;
    if (d.length === 12 && d.startsWith('44')) return `+44 ${d.slice(2, 6)} ${d.slice(6)}`;
    const cc = /^[17]/.test(d) ? 1 : /^(2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58])/.test(d) ? 2 : 3;
    const rest = d.slice(cc),
      groups = [];
    let i = 0;
    while (rest.length - i > 4) {
      groups.push(rest.slice(i, i + 3));
      i += 3;
    }
    groups.push(rest.slice(i));
    return `+${d.slice(0, cc)} ${groups.join(' ')}`;
  }
  function relTime(ts, now) {
    const sec = Math.floor(Math.max(0, now - ts) / 1000);
    const min = Math.floor(sec / 60),
      hr = Math.floor(min / 60),
      days = Math.floor(hr / 24);
    if (sec < 10) return 'just now';
    if (min < 1) return `${sec} s ago`;
    if (min < 60) return `${min} min ago`;
    if (hr < 24) return `${hr} hr ago`;
    if (days < 7) return days === 1 ? 'yesterday' : `${days} days ago`;
    return new Date(ts).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  }
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

  // Old codes must not look as current as the live one: a message past its code's or link's
  // lifetime is expired; of the rest, only the newest to a number is the one to use.
  const CODE_TTL_MS = Number(document.body.dataset.codeTtl) * 1000;
  const LINK_TTL_MS = Number(document.body.dataset.linkTtl) * 1000;
  const STATE_WORDS = { latest: 'latest', older: 'older: a newer message came after it', expired: 'expired' };
  function stateOf(m, newest, now) {
    const ttl = /https?:\/\/\S+\/il\//.test(m.body) ? LINK_TTL_MS : CODE_TTL_MS;
    if (now - m.createdAt >= ttl) return 'expired';
    return newest ? 'latest' : 'older';
  }

  // URLs first (so digits inside a link stay part of it), then standalone 4-6 digit codes that are
  // not part of a longer number, a phone number, a time or a date.
  const TOKEN = /(https?:\/\/[^\s<>"'\u0060]+)|(?<![\p{L}\p{N}_]|\d[-.,:/])(\d{4,6})(?![\p{L}\p{N}_]|[-.,:/]\d)/giu;
  function renderBody(body) {
    const out = el('span');
    let last = 0;
    for (const match of body.matchAll(TOKEN)) {
      let raw = match[0],
        end = match.index + raw.length;
      if (match[1]) {
        const trimmed = raw.replace(/[.,;:!?)\]}'"]+$/, '');
        end -= raw.length - trimmed.length;
        raw = trimmed;
      }
      if (match.index > last) out.appendChild(document.createTextNode(body.slice(last, match.index)));
      if (match[1]) {
        let url = null;
        try {
          url = new URL(raw);
        } catch {
          url = null;
        }
        if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
          const a = el('a', null, raw);
          Object.assign(a, { href: url.href, target: '_blank', rel: 'noopener noreferrer' });
          out.appendChild(a);
        } else out.appendChild(document.createTextNode(raw));
      } else {
        const b = el('button', 'code');
        b.type = 'button';
        b.dataset.code = raw;
        b.dataset.testid = 'code';
        b.setAttribute('aria-label', `Copy code ${raw.split('').join(' ')}`);
        b.title = 'Copy code';
        b.appendChild(el('span', null, raw));
        b.appendChild(icon('copy', true));
        out.appendChild(b);
      }
      last = end;
    }
    if (last < body.length) out.appendChild(document.createTextNode(body.slice(last)));
    return out;
  }

  // Keyed reconciliation: reuse existing nodes and only move/insert/remove what changed (no flicker).
  function reconcile(parent, keys, cache, create, update) {
    const keep = new Set(keys);
    for (const [key, node] of cache)
      if (!keep.has(key)) {
        node.remove();
        cache.delete(key);
      }
    let ref = parent.firstChild;
    for (const key of keys) {
      let node = cache.get(key);
      if (!node) {
        node = create(key);
        cache.set(key, node);
      }
      update(node, key);
      if (node === ref) ref = ref.nextSibling;
      else parent.insertBefore(node, ref);
    }
  }

  function createConv(to) {
    const li = el('li');
    const b = el('button', 'conv');
    b.type = 'button';
    b.dataset.testid = 'conversation';
    b.dataset.to = to;
    const av = el('span', 'avatar');
    av.appendChild(icon('person', false));
    av.appendChild(el('span', 'count'));
    const text = el('span');
    text.appendChild(el('span', 'conv-num', formatNumber(to)));
    text.appendChild(el('span', 'conv-sub'));
    b.append(av, text);
    li.appendChild(b);
    return li;
  }
  function createMsg(m) {
    const li = el('li', 'msg');
    li.dataset.testid = 'message';
    li.dataset.id = m.id;
    const bubble = el('p', 'bubble');
    bubble.appendChild(el('span', 'sr-only', 'Pocketproof: '));
    bubble.appendChild(renderBody(m.body));
    const meta = el('p', 'meta');
    const time = el('time');
    const date = new Date(m.createdAt);
    time.dateTime = date.toISOString();
    time.title = date.toLocaleString();
    const state = el('span', 'state');
    state.dataset.testid = 'message-state';
    meta.append(time, state);
    li.append(bubble, meta);
    if (loaded && shownFor === m.to) li.classList.add('fresh');
    return li;
  }

  function render() {
    const now = Date.now();
    const groups = new Map();
    for (const m of messages) {
      if (!groups.has(m.to)) groups.set(m.to, []);
      groups.get(m.to).push(m);
    }
    const convs = [...groups.keys()]; // messages are sorted newest first, so conversations are too
    if (!convs.includes(selected)) {
      selected = null;
      pinned = false;
    }
    if (!pinned) selected = convs[0] || null;
    const current = selected ? groups.get(selected) : [];
    for (const m of current) seen.add(m.id);

    convsWrap.hidden = convs.length === 0;
    head.hidden = !selected;
    empty.hidden = !loaded || convs.length > 0;
    reconcile(convList, convs, convEls, createConv, (li, to) => {
      const msgs = groups.get(to),
        b = li.firstChild,
        latest = msgs[0].createdAt;
      const unread = msgs.some((m) => !seen.has(m.id));
      const sub = `${plural(msgs.length, 'message')} \u00b7 ${relTime(latest, now)}`;
      b.querySelector('.count').textContent = String(msgs.length);
      b.querySelector('.conv-sub').textContent = sub;
      b.classList.toggle('unread', unread);
      b.setAttribute('aria-current', String(to === selected));
      b.setAttribute('aria-label', `${formatNumber(to)}, ${sub}${unread ? ', unread' : ''}`);
    });

    const switched = shownFor !== selected;
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    const before = list.childElementCount;
    if (switched) {
      list.textContent = '';
      msgEls.clear();
    }
    const chrono = current.slice().reverse();
    const byKey = new Map(chrono.map((m) => [m.id, m]));
    const newestId = current.length ? current[0].id : null;
    reconcile(
      list,
      chrono.map((m) => m.id),
      msgEls,
      (id) => createMsg(byKey.get(id)),
      (li, id) => {
        const m = byKey.get(id),
          state = stateOf(m, id === newestId, now);
        const time = li.lastChild.firstChild,
          words = li.lastChild.lastChild;
        time.textContent = relTime(m.createdAt, now);
        li.dataset.state = state;
        words.textContent = ` \u00b7 ${STATE_WORDS[state]}`;
      },
    );
    if (selected) threadTo.textContent = `SMS to ${formatNumber(selected)}`;
    if (switched || (atBottom && list.childElementCount !== before)) scroller.scrollTop = scroller.scrollHeight;
    if (switched) revealSelected();
    shownFor = selected;
    updateFade();
  }
  // The conversation strip scrolls sideways: keep the open one in view and fade the edges that hide more.
  function revealSelected() {
    const node = convEls.get(selected);
    if (!node) return;
    const left = node.offsetLeft - 16,
      right = node.offsetLeft + node.offsetWidth + 16;
    if (left < convList.scrollLeft) convList.scrollLeft = left;
    else if (right > convList.scrollLeft + convList.clientWidth) convList.scrollLeft = right - convList.clientWidth;
  }
  function updateFade() {
    const l = convList.scrollLeft > 1,
      r = convList.scrollLeft + convList.clientWidth < convList.scrollWidth - 1;
    convList.dataset.fade = l && r ? 'both' : l ? 'left' : r ? 'right' : '';
  }

  function valid(m) {
    return (
      m &&
      typeof m.id === 'string' &&
      typeof m.to === 'string' &&
      typeof m.body === 'string' &&
      Number.isFinite(m.createdAt)
    );
  }
  function apply(data) {
    const next = data.filter(valid).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    const fresh = loaded ? next.filter((m) => !known.has(m.id)) : [];
    for (const m of next) known.add(m.id);
    if (!loaded) for (const m of next) seen.add(m.id);
    messages = next;
    loaded = true;
    render();
    if (fresh.length) {
      const latest = fresh[0];
      announcer.textContent = `${fresh.length === 1 ? 'New message' : `${fresh.length} new messages`} for ${formatNumber(latest.to)}`;
      if (document.hidden) {
        hiddenNew += fresh.length;
        document.title = `(${hiddenNew}) ${baseTitle}`;
      }
    }
  }
  function setLive(state, text) {
    if (live.dataset.state === state) return;
    live.dataset.state = state;
    live.textContent = text;
  }

  async function poll() {
    clearTimeout(timer);
    if (inflight) return;
    inflight = true;
    const ctrl = new AbortController();
    const abort = setTimeout(() => ctrl.abort(), 8000);
    try {
      const res = await fetch(endpoint, {
        cache: 'no-store',
        headers: { accept: 'application/json' },
        signal: ctrl.signal,
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const data = await res.json();
      if (!Array.isArray(data)) throw new Error('unexpected payload');
      apply(data);
      setLive('live', 'Live');
    } catch {
      setLive('offline', 'Offline');
    } finally {
      clearTimeout(abort);
      inflight = false;
      timer = setTimeout(poll, POLL_MS);
    }
  }

  async function copyText(text) {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return true;
      }
    } catch {
      /* fall back below */
    }
    const active = document.activeElement;
    const ta = el('textarea', 'offscreen');
    ta.value = text;
    ta.setAttribute('readonly', '');
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
    ta.remove();
    if (active?.focus) active.focus();
    return ok;
  }
  function showToast(text, ok) {
    toast.textContent = text;
    toast.classList.toggle('fail', !ok);
    toast.classList.add('show');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => toast.classList.remove('show'), 1800);
  }

  list.addEventListener('click', async (event) => {
    const b = event.target instanceof Element ? event.target.closest('button.code') : null;
    if (!b) return;
    const code = b.dataset.code || '';
    const ok = await copyText(code);
    showToast(ok ? `Copied ${code}` : 'Could not copy \u2014 select it instead', ok);
    if (ok) {
      b.classList.add('copied');
      setTimeout(() => b.classList.remove('copied'), 1500);
    }
  });
  convList.addEventListener('click', (event) => {
    const b = event.target instanceof Element ? event.target.closest('button.conv') : null;
    if (!b?.dataset.to) return;
    selected = b.dataset.to;
    pinned = true;
    render();
  });
  convList.addEventListener('scroll', updateFade, { passive: true });
  window.addEventListener('resize', updateFade);
  convList.addEventListener(
    'wheel',
    (event) => {
      if (Math.abs(event.deltaY) <= Math.abs(event.deltaX) || convList.scrollWidth <= convList.clientWidth) return;
      convList.scrollLeft += event.deltaY;
      event.preventDefault();
    },
    { passive: false },
  );
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) return;
    hiddenNew = 0;
    document.title = baseTitle;
    poll();
  });
  const tick = () => {
    clock.textContent = new Date()
      .toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' })
      .replace(/\s?[AP]M$/i, '');
  };
  tick();
  setInterval(tick, 15000);
  poll();
})();
