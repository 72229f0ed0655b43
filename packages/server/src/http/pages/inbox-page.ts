/**
 * The dev phone inbox page (GET /dev/inbox): a phone-shaped messages app that shows the SMS the
 * server stored instead of sending. Served with a strict nonce-based CSP, so every style and script
 * lives in a nonce-tagged element, nothing loads from elsewhere, and there are no inline handlers.
 * Message bodies are untrusted: the script builds the DOM with createElement/textContent only and
 * links nothing but http:/https: URLs.
 */

import { readFileSync } from 'node:fs';

let script: string | undefined;

/**
 * The page's script, a real file beside this one (copied into dist by the build), read on first
 * use and inlined under the nonce. A `</script` inside it would end the element early: refused.
 */
function inboxScript(): string {
  if (script === undefined) {
    const text = readFileSync(new URL('./inbox-page.browser.js', import.meta.url), 'utf8');
    if (/<\/script/i.test(text)) throw new Error('inbox-page.browser.js must not contain "</script"');
    script = text;
  }
  return script;
}

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
.meta .state{font-weight:650}.msg[data-state=latest] .state{color:#1b7f3b}
.msg[data-state=older] .bubble,.msg[data-state=expired] .bubble{opacity:.55}
.msg[data-state=expired] .code span,.msg[data-state=expired] .bubble a{text-decoration:line-through}
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

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** How long a message's code or link works, so the page can tell a live one from a stale one. */
export interface InboxLifetimes {
  codeTtlSeconds: number;
  linkTtlSeconds: number;
}

export function inboxPage(
  nonce: string,
  lifetimes: InboxLifetimes = { codeTtlSeconds: 120, linkTtlSeconds: 180 },
): string {
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
<body data-code-ttl="${Math.trunc(lifetimes.codeTtlSeconds)}" data-link-ttl="${Math.trunc(lifetimes.linkTtlSeconds)}">
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
<script nonce="${n}">${inboxScript()}</script>
</body>
</html>
`;
}
