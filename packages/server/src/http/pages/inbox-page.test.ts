import { describe, expect, it } from 'vitest';
import { inboxPage } from './inbox-page.js';

const NONCE = 'r4nd0m+N0nce/Value==';

function blocks(html: string, tag: 'script' | 'style'): { attrs: string; body: string }[] {
  const re = new RegExp(`<${tag}\\b([^>]*)>([\\s\\S]*?)</${tag}>`, 'gi');
  return [...html.matchAll(re)].map((m) => ({ attrs: m[1] ?? '', body: m[2] ?? '' }));
}

/** The markup with script and style bodies removed, so attribute checks only see real HTML. */
function markupOnly(html: string): string {
  return html.replace(/<(script|style)\b([^>]*)>[\s\S]*?<\/\1>/gi, '<$1$2></$1>');
}

describe('inboxPage', () => {
  const html = inboxPage(NONCE);

  it('is a complete UTF-8 HTML5 document with the expected title', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain('<title>Pocketproof · Dev phone</title>');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('puts the nonce on every script and style element', () => {
    const scripts = blocks(html, 'script');
    const styles = blocks(html, 'style');
    expect(scripts.length).toBeGreaterThan(0);
    expect(styles.length).toBeGreaterThan(0);
    for (const { attrs } of [...scripts, ...styles]) expect(attrs).toBe(` nonce="${NONCE}"`);
    expect(html.match(/<script\b/gi)).toHaveLength(scripts.length);
    expect(html.match(/<style\b/gi)).toHaveLength(styles.length);
  });

  it("carries the code's and the link's lifetimes, so the page can mark expired messages", () => {
    expect(html).toContain('<body data-code-ttl="120" data-link-ttl="180">');
    expect(inboxPage(NONCE, { codeTtlSeconds: 300, linkTtlSeconds: 600 })).toContain(
      '<body data-code-ttl="300" data-link-ttl="600">',
    );
  });

  it('escapes the nonce so it cannot break out of the attribute', () => {
    const evil = inboxPage('"><img src=x onerror=alert(1)>');
    expect(evil).not.toContain('"><img');
    expect(evil).toContain('nonce="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
  });

  it('has no inline handlers, inline styles or external resources', () => {
    const markup = markupOnly(html);
    expect(markup).not.toMatch(/\son[a-z]+\s*=/i);
    expect(markup).not.toMatch(/\sstyle\s*=/i);
    expect(markup).not.toMatch(/javascript:/i);
    expect(markup).not.toMatch(/<(link|script|img|iframe)\b[^>]*\s(src|href)\s*=\s*"(?!data:)/i);
    expect(html).not.toMatch(/@import|url\(\s*['"]?https?:/i);
  });

  it('builds message DOM without HTML parsing sinks', () => {
    const script = blocks(html, 'script')
      .map((b) => b.body)
      .join('\n');
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function']) {
      expect(script).not.toContain(sink);
    }
    expect(script).toContain('textContent');
    expect(script).toContain("url.protocol === 'http:' || url.protocol === 'https:'");
    expect(script).toContain("rel: 'noopener noreferrer'");
  });

  it('ships a script that parses', () => {
    const script = blocks(html, 'script')
      .map((b) => b.body)
      .join('\n');
    // Syntax check only: the function is never called.
    expect(() => new Function(script)).not.toThrow();
  });

  it('polls the messages endpoint and exposes the test ids', () => {
    expect(html).toContain("'/dev/inbox/messages'");
    expect(html).toContain("searchParams.set('limit', '200')");
    expect(html).toContain('POLL_MS = 2000');
    expect(html).toContain('visibilitychange');
    expect(html).toMatch(
      /data-testid="empty"[\s\S]*No messages yet\.<\/strong> Start a verification and the SMS lands here\./,
    );
    for (const id of ['conversation', 'message', 'code']) expect(html).toContain(`dataset.testid = '${id}'`);
    expect(html).toMatch(/aria-live="polite"/);
    expect(html).toMatch(/exists only in development/);
  });
});
