/**
 * The dev phone inbox page (GET /dev/inbox): a phone-shaped messages app that shows the SMS the
 * server stored instead of sending. Served with a strict nonce-based CSP, so every style and script
 * lives in a nonce-tagged element, nothing loads from elsewhere, and there are no inline handlers.
 * Message bodies are untrusted: the script builds the DOM with createElement/textContent only and
 * links nothing but http:/https: URLs.
 */

const STYLE = String.raw`
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
html{color-scheme:light;-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;min-height:100dvh;display:grid;place-items:center;padding:28px 16px;
  font:16px/1.4 system-ui,-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
  color:#1c1c1e;background:radial-gradient(circle at 20% 10%,#eef2ff 0,transparent 45%),
  radial-gradient(circle at 85% 90%,#e0f2fe 0,transparent 45%),#f4f5f8}
button{font:inherit;color:inherit}
.sr-only,.offscreen{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.phone{position:relative;width:390px;height:min(844px,calc(100dvh - 56px));min-height:600px;display:flex;flex-direction:column;
  background:#fff;border:11px solid #15171c;border-radius:56px;overflow:hidden;
  box-shadow:0 0 0 2px #3a3d45,0 30px 60px -12px rgba(20,24,40,.35),0 18px 36px -18px rgba(20,24,40,.3)}
.statusbar{flex:none;display:flex;align-items:center;justify-content:space-between;height:46px;padding:6px 30px 0;font-size:15px;font-weight:600}
.island{width:112px;height:32px;border-radius:20px;background:#0b0b0d}
.bars{display:flex;align-items:flex-end;gap:2px;height:12px}.bars i{display:block;width:3px;border-radius:1px;background:#1c1c1e}
.bars i:nth-child(1){height:4px}.bars i:nth-child(2){height:6px}.bars i:nth-child(3){height:9px}.bars i:nth-child(4){height:12px}
.top{flex:none;display:flex;align-items:flex-end;justify-content:space-between;gap:12px;padding:8px 20px 10px}
.eyebrow{margin:0;white-space:nowrap;font-size:12px;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:#8e8e93}
h1{margin:0;font-size:30px;line-height:1.15;font-weight:750;letter-spacing:-.02em}
.live{display:inline-flex;align-items:center;gap:6px;margin-bottom:5px;padding:3px 10px;border-radius:999px;font-size:12px;font-weight:600;background:#f2f2f7;color:#636366;white-space:nowrap}
.live::before{content:"";width:7px;height:7px;border-radius:50%;background:#aeaeb2}
.live[data-state="live"]{background:#e8f7ed;color:#1b7f3b}.live[data-state="live"]::before{background:#34c759}
.live[data-state="offline"]{background:#fff4e5;color:#a05a00}.live[data-state="offline"]::before{background:#ff9f0a}
.convs{flex:none;border-bottom:1px solid #ececf0}
.conv-list{list-style:none;margin:0;position:relative;padding:2px 16px 12px;display:flex;gap:8px;overflow-x:auto;scrollbar-width:none}
.conv-list::-webkit-scrollbar{display:none}
.conv-list[data-fade=right]{mask-image:linear-gradient(to right,#000 calc(100% - 36px),transparent)}.conv-list[data-fade=left]{mask-image:linear-gradient(to left,#000 calc(100% - 36px),transparent)}
.conv-list[data-fade=both]{mask-image:linear-gradient(to right,transparent,#000 36px,#000 calc(100% - 36px),transparent)}
.conv-list li{flex:none}
.conv{position:relative;display:flex;align-items:center;gap:10px;min-height:56px;padding:8px 14px 8px 8px;border:1px solid #e5e5ea;border-radius:16px;background:#fff;cursor:pointer;text-align:left;transition:background .15s,border-color .15s}
.conv:hover{background:#f7f7fa}.conv[aria-current="true"]{background:#eaf2ff;border-color:#9cc3ff}
.conv:focus-visible,.scroll:focus-visible{outline:2px solid #0a7cff;outline-offset:2px}
.avatar{position:relative;flex:none;display:grid;place-items:center;width:38px;height:38px;border-radius:50%;color:#fff;background:linear-gradient(180deg,#a4a9b6,#858a97)}
.avatar svg{width:22px;height:22px}
.count{position:absolute;top:-4px;right:-6px;min-width:19px;height:19px;padding:0 5px;border-radius:10px;border:2px solid #fff;background:#0a7cff;color:#fff;font-size:11px;font-weight:700;line-height:15px;text-align:center}
.conv-num{display:block;font-size:14.5px;font-weight:650;white-space:nowrap;font-variant-numeric:tabular-nums}.conv-sub{display:block;font-size:12px;color:#8e8e93;white-space:nowrap}
.conv.unread .conv-num::after{content:"";display:inline-block;width:8px;height:8px;margin-left:6px;border-radius:50%;background:#0a7cff;vertical-align:middle}
.thread{flex:1;min-height:0;display:flex;flex-direction:column}
.thread-head{flex:none;display:flex;align-items:center;gap:10px;padding:10px 18px;border-bottom:1px solid #f0f0f3;background:rgba(249,249,251,.9)}
.brand{background:linear-gradient(135deg,#3b82f6,#6d28d9);font-weight:700;font-size:16px;width:34px;height:34px}
h2{margin:0;font-size:15px;font-weight:650}.thread-to{margin:0;font-size:12px;color:#8e8e93;font-variant-numeric:tabular-nums}
.scroll{flex:1;min-height:0;overflow-y:auto;overscroll-behavior:contain;padding:14px 16px 18px}
.messages{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:14px}
.msg{display:flex;flex-direction:column;align-items:flex-start}.msg.fresh{animation:pop .32s ease-out}
@keyframes pop{from{opacity:0;transform:translateY(8px) scale(.98)}to{opacity:1;transform:none}}
.bubble{position:relative;max-width:84%;margin:0 0 0 6px;padding:9px 14px;border-radius:20px;background:#e9e9eb;color:#0b0b0c;font-size:16px;line-height:1.38;white-space:pre-wrap;overflow-wrap:anywhere}
.bubble::before{content:"";position:absolute;z-index:0;left:-7px;bottom:0;width:20px;height:20px;background:#e9e9eb;border-bottom-right-radius:16px 14px}
.bubble::after{content:"";position:absolute;z-index:0;left:-10px;bottom:0;width:10px;height:20px;background:#fff;border-bottom-right-radius:10px}
.bubble>span{position:relative;z-index:1}
.code{display:inline-flex;align-items:center;gap:5px;margin:1px 1px;padding:1px 8px;border:1px solid #a8c5fb;border-radius:8px;background:#fff;color:#0646c8;font-weight:750;letter-spacing:.08em;font-variant-numeric:tabular-nums;line-height:1.45;cursor:pointer;vertical-align:baseline;box-shadow:0 1px 0 rgba(10,60,160,.08);transition:background .15s}
.code:hover{background:#eef4ff}.code:focus-visible{outline:2px solid #0a7cff;outline-offset:2px}
.code svg{width:14px;height:14px;flex:none;opacity:.75}.code.copied{background:#e8f7ed;border-color:#93d6a8;color:#1b7f3b}
.bubble a{color:#0a5bd3;font-weight:600;text-decoration:underline;text-decoration-thickness:1.5px;text-underline-offset:2px;border-radius:4px}
.bubble a:hover{color:#0646a8;background:rgba(10,91,211,.08)}.bubble a:focus-visible{outline:2px solid #0a7cff;outline-offset:2px}
.meta{margin:4px 0 0 14px;font-size:11.5px;color:#8e8e93}
.empty{height:100%;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:14px;padding:24px;text-align:center;color:#636366}
.empty-icon{display:grid;place-items:center;width:64px;height:64px;border-radius:50%;background:#f2f2f7;color:#aeaeb2}
.empty-icon svg{width:30px;height:30px}.empty p{margin:0;max-width:250px;font-size:15px}
.empty strong{display:block;margin-bottom:4px;font-size:17px;color:#1c1c1e}
.foot{flex:none;display:flex;align-items:center;justify-content:center;gap:8px;padding:10px 18px 16px;border-top:1px solid #f0f0f3;font-size:12px;color:#8e8e93;text-align:center}
.badge{flex:none;padding:2px 6px;border-radius:6px;background:#fff1e0;color:#b25e00;font-size:10.5px;font-weight:750;letter-spacing:.06em}
.toast{position:absolute;left:50%;bottom:74px;z-index:5;display:flex;align-items:center;gap:7px;padding:9px 16px;border-radius:999px;background:rgba(28,28,30,.92);color:#fff;font-size:14px;font-weight:600;
  transform:translate(-50%,10px);opacity:0;pointer-events:none;transition:opacity .2s,transform .2s;box-shadow:0 8px 24px rgba(0,0,0,.2)}
.toast.show{opacity:1;transform:translate(-50%,0)}.toast::before{content:"\2713";color:#34c759;font-weight:800}
.toast.fail::before{content:"!";color:#ff9f0a}
@media (max-width:520px),(max-height:640px){
  body{display:block;padding:0;background:#fff}
  .phone{width:100%;height:100vh;height:100dvh;min-height:0;border:0;border-radius:0;box-shadow:none}
  .statusbar{display:none}.top{padding-top:max(12px,env(safe-area-inset-top))}
  .foot{padding-bottom:max(12px,env(safe-area-inset-bottom))}
}
@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important}}
`;

const SCRIPT = String.raw`
'use strict';
(() => {
  const POLL_MS = 2000;
  const byId = (id) => document.getElementById(id);
  const convsWrap = byId('convs-wrap'), convList = byId('convs'), head = byId('thread-head'), threadTo = byId('thread-to');
  const scroller = byId('scroll'), list = byId('messages'), empty = byId('empty'), live = byId('live');
  const toast = byId('toast'), announcer = byId('announce'), clock = byId('clock');
  const baseTitle = document.title;
  const convEls = new Map(), msgEls = new Map(), known = new Set(), seen = new Set();
  let messages = [], selected = null, pinned = false, loaded = false, shownFor = null, hiddenNew = 0;
  let timer = 0, inflight = false, toastTimer = 0;

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
    const svg = document.createElementNS(NS, 'svg'), path = document.createElementNS(NS, 'path');
    const set = (node, attrs) => { for (const key in attrs) node.setAttribute(key, attrs[key]); };
    set(svg, { viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' });
    set(path, stroke ? { d: ICONS[name], fill: 'none', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linejoin': 'round' }
      : { d: ICONS[name], fill: 'currentColor' });
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
    if (d.length === 11 && d[0] === '1') return '+1 (' + d.slice(1, 4) + ') ' + d.slice(4, 7) + '-' + d.slice(7);
    if (d.length === 12 && d.startsWith('44')) return '+44 ' + d.slice(2, 6) + ' ' + d.slice(6);
    const cc = /^[17]/.test(d) ? 1 : /^(2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58])/.test(d) ? 2 : 3;
    const rest = d.slice(cc), groups = [];
    let i = 0;
    while (rest.length - i > 4) { groups.push(rest.slice(i, i + 3)); i += 3; }
    groups.push(rest.slice(i));
    return '+' + d.slice(0, cc) + ' ' + groups.join(' ');
  }
  function relTime(ts, now) {
    const min = Math.floor(Math.max(0, now - ts) / 60000), hr = Math.floor(min / 60), days = Math.floor(hr / 24);
    if (min < 1) return 'just now';
    if (min < 60) return min + ' min ago';
    if (hr < 24) return hr + ' hr ago';
    if (days < 7) return days === 1 ? 'yesterday' : days + ' days ago';
    return new Date(ts).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  }
  const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');

  // URLs first (so digits inside a link stay part of it), then standalone 4-6 digit codes that are
  // not part of a longer number, a phone number, a time or a date.
  const TOKEN = /(https?:\/\/[^\s<>"'\u0060]+)|(?<![\p{L}\p{N}_]|\d[-.,:\/])(\d{4,6})(?![\p{L}\p{N}_]|[-.,:\/]\d)/giu;
  function renderBody(body) {
    const out = el('span');
    let last = 0;
    for (const match of body.matchAll(TOKEN)) {
      let raw = match[0], end = match.index + raw.length;
      if (match[1]) {
        const trimmed = raw.replace(/[.,;:!?)\]}'"]+$/, '');
        end -= raw.length - trimmed.length;
        raw = trimmed;
      }
      if (match.index > last) out.appendChild(document.createTextNode(body.slice(last, match.index)));
      if (match[1]) {
        let url = null;
        try { url = new URL(raw); } catch { url = null; }
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
        b.setAttribute('aria-label', 'Copy code ' + raw.split('').join(' '));
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
    for (const [key, node] of cache) if (!keep.has(key)) { node.remove(); cache.delete(key); }
    let ref = parent.firstChild;
    for (const key of keys) {
      let node = cache.get(key);
      if (!node) { node = create(key); cache.set(key, node); }
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
    const time = el('time', 'meta');
    const date = new Date(m.createdAt);
    time.dateTime = date.toISOString();
    time.title = date.toLocaleString();
    li.append(bubble, time);
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
    if (!convs.includes(selected)) { selected = null; pinned = false; }
    if (!pinned) selected = convs[0] || null;
    const current = selected ? groups.get(selected) : [];
    for (const m of current) seen.add(m.id);

    convsWrap.hidden = convs.length === 0;
    head.hidden = !selected;
    empty.hidden = !loaded || convs.length > 0;
    reconcile(convList, convs, convEls, createConv, (li, to) => {
      const msgs = groups.get(to), b = li.firstChild, latest = msgs[0].createdAt;
      const unread = msgs.some((m) => !seen.has(m.id));
      const sub = plural(msgs.length, 'message') + ' \u00b7 ' + relTime(latest, now);
      b.querySelector('.count').textContent = String(msgs.length);
      b.querySelector('.conv-sub').textContent = sub;
      b.classList.toggle('unread', unread);
      b.setAttribute('aria-current', String(to === selected));
      b.setAttribute('aria-label', formatNumber(to) + ', ' + sub + (unread ? ', unread' : ''));
    });

    const switched = shownFor !== selected;
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    const before = list.childElementCount;
    if (switched) { list.textContent = ''; msgEls.clear(); }
    const chrono = current.slice().reverse();
    const byKey = new Map(chrono.map((m) => [m.id, m]));
    reconcile(list, chrono.map((m) => m.id), msgEls, (id) => createMsg(byKey.get(id)), (li, id) => {
      li.lastChild.textContent = relTime(byKey.get(id).createdAt, now);
    });
    if (selected) threadTo.textContent = 'SMS to ' + formatNumber(selected);
    if (switched || (atBottom && list.childElementCount !== before)) scroller.scrollTop = scroller.scrollHeight;
    if (switched) revealSelected();
    shownFor = selected;
    updateFade();
  }
  // The conversation strip scrolls sideways: keep the open one in view and fade the edges that hide more.
  function revealSelected() {
    const node = convEls.get(selected);
    if (!node) return;
    const left = node.offsetLeft - 16, right = node.offsetLeft + node.offsetWidth + 16;
    if (left < convList.scrollLeft) convList.scrollLeft = left;
    else if (right > convList.scrollLeft + convList.clientWidth) convList.scrollLeft = right - convList.clientWidth;
  }
  function updateFade() {
    const l = convList.scrollLeft > 1, r = convList.scrollLeft + convList.clientWidth < convList.scrollWidth - 1;
    convList.dataset.fade = l && r ? 'both' : l ? 'left' : r ? 'right' : '';
  }

  function valid(m) {
    return m && typeof m.id === 'string' && typeof m.to === 'string' && typeof m.body === 'string' && Number.isFinite(m.createdAt);
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
      announcer.textContent = (fresh.length === 1 ? 'New message' : fresh.length + ' new messages') + ' for ' + formatNumber(latest.to);
      if (document.hidden) { hiddenNew += fresh.length; document.title = '(' + hiddenNew + ') ' + baseTitle; }
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
      const res = await fetch(endpoint, { cache: 'no-store', headers: { accept: 'application/json' }, signal: ctrl.signal });
      if (!res.ok) throw new Error('HTTP ' + res.status);
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
      if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); return true; }
    } catch { /* fall back below */ }
    const active = document.activeElement;
    const ta = el('textarea', 'offscreen');
    ta.value = text;
    ta.setAttribute('readonly', '');
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    ta.remove();
    if (active && active.focus) active.focus();
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
    showToast(ok ? 'Copied ' + code : 'Could not copy \u2014 select it instead', ok);
    if (ok) { b.classList.add('copied'); setTimeout(() => b.classList.remove('copied'), 1500); }
  });
  convList.addEventListener('click', (event) => {
    const b = event.target instanceof Element ? event.target.closest('button.conv') : null;
    if (!b || !b.dataset.to) return;
    selected = b.dataset.to;
    pinned = true;
    render();
  });
  convList.addEventListener('scroll', updateFade, { passive: true });
  window.addEventListener('resize', updateFade);
  convList.addEventListener('wheel', (event) => {
    if (Math.abs(event.deltaY) <= Math.abs(event.deltaX) || convList.scrollWidth <= convList.clientWidth) return;
    convList.scrollLeft += event.deltaY;
    event.preventDefault();
  }, { passive: false });
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) return;
    hiddenNew = 0;
    document.title = baseTitle;
    poll();
  });
  const tick = () => { clock.textContent = new Date().toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' }).replace(/\s?[AP]M$/i, ''); };
  tick();
  setInterval(tick, 15000);
  poll();
})();
`;

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function inboxPage(nonce: string): string {
  const n = escapeAttribute(nonce);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light">
<link rel="icon" href="data:,">
<title>Pocketproof · Dev phone</title>
<style nonce="${n}">${STYLE}</style>
</head>
<body>
<main class="phone" aria-labelledby="app-title">
  <div class="statusbar" aria-hidden="true"><span id="clock"></span><span class="island"></span><span class="bars"><i></i><i></i><i></i><i></i></span></div>
  <header class="top">
    <div><p class="eyebrow">Pocketproof · Dev phone</p><h1 id="app-title">Messages</h1></div>
    <span id="live" class="live" role="status" data-state="connecting">Connecting…</span>
  </header>
  <nav id="convs-wrap" class="convs" aria-label="Conversations" hidden><ul id="convs" class="conv-list"></ul></nav>
  <section class="thread" aria-labelledby="thread-name">
    <div id="thread-head" class="thread-head" hidden>
      <span class="avatar brand" aria-hidden="true">P</span>
      <div><h2 id="thread-name">Pocketproof</h2><p id="thread-to" class="thread-to"></p></div>
    </div>
    <div id="scroll" class="scroll" tabindex="0" aria-label="Messages">
      <div id="empty" class="empty" data-testid="empty" hidden>
        <span class="empty-icon" aria-hidden="true"><svg viewBox="0 0 24 24" focusable="false"><path d="M4 5h16v11H9l-5 4z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/></svg></span>
        <p><strong>No messages yet.</strong> Start a verification and the SMS lands here.</p>
      </div>
      <ol id="messages" class="messages"></ol>
    </div>
  </section>
  <footer class="foot"><span class="badge">DEV</span><span>This inbox exists only in development. Nothing here was really sent.</span></footer>
  <div id="toast" class="toast" role="status" aria-live="polite" aria-atomic="true"></div>
  <div id="announce" class="sr-only" aria-live="polite" aria-atomic="true"></div>
</main>
<script nonce="${n}">${SCRIPT}</script>
</body>
</html>
`;
}
