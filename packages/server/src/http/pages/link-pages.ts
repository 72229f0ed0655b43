/**
 * The small pages a phone sees around an Instant Link. No message data is ever interpolated: the
 * only dynamic values are the nonce and the link's own path, both from a restricted alphabet.
 */
const STYLE = `
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f4f6fb;
    font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2433; }
  main { max-width: 22rem; margin: 1.5rem; padding: 2rem 1.5rem; background: #fff; border-radius: 1.25rem;
    box-shadow: 0 10px 30px rgba(29, 36, 51, .08); text-align: center; }
  h1 { font-size: 1.35rem; margin: 0 0 .5rem; }
  p { margin: 0 0 1.5rem; color: #4a5468; }
  button { width: 100%; padding: .9rem 1rem; border: 0; border-radius: .8rem; background: #3b5bfd; color: #fff;
    font: inherit; font-weight: 600; cursor: pointer; }
  button:focus-visible { outline: 3px solid #9db0ff; outline-offset: 2px; }
  .badge { display: inline-grid; place-items: center; width: 3rem; height: 3rem; margin-bottom: 1rem;
    border-radius: 50%; background: #e8edff; color: #3b5bfd; font-size: 1.5rem; }
`;

function page(nonce: string, title: string, body: string, script = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main>${body}</main>
${script ? `<script nonce="${nonce}">${script}</script>` : ''}
</body>
</html>`;
}

/**
 * The landing page of a link. Message apps and scanners fetch links to preview them; a GET must
 * not count as the tap. A real browser runs the script and confirms by POST at once; without
 * scripts the person taps the button.
 */
export function confirmPage(nonce: string, actionPath: string): string {
  return page(
    nonce,
    'Confirm your verification',
    `<div class="badge" aria-hidden="true">✓</div>
<h1>Confirm it's you</h1>
<p>Tap continue to finish verifying this phone number.</p>
<form method="post" action="${actionPath}"><button type="submit">Continue</button></form>`,
    'document.forms[0].requestSubmit ? document.forms[0].requestSubmit() : document.forms[0].submit();',
  );
}

export function messagePage(nonce: string, title: string, text: string): string {
  return page(nonce, title, `<h1>${title}</h1><p>${text}</p>`);
}

/**
 * `form-action` also governs where the confirm form's POST may redirect (browsers enforce it on
 * the 303), and that is the integrator's `finalTargetUrl` on another origin: with `'self'` alone
 * the tap counts but the phone never lands. The target was checked at flow start, and the page
 * holds no content a visitor controls, so any http(s) destination is allowed.
 */
export function pageSecurityHeaders(nonce: string): Record<string, string> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Robots-Tag': 'noindex, nofollow',
    'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; form-action 'self' https: http:; base-uri 'none'; frame-ancestors 'none'`,
  };
}
