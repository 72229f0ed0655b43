/**
 * `GET /`: where someone lands who opens the server's address in a browser. It links what there
 * is to see; the developer surfaces only when they are on. No request data is interpolated.
 */
export interface HomeLinks {
  demo: boolean;
  devPhone: boolean;
}

const STYLE = `
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f4f6fb;
    font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2433; }
  main { max-width: 30rem; margin: 1.5rem; padding: 2rem 1.75rem; background: #fff; border-radius: 1.25rem;
    box-shadow: 0 10px 30px rgba(29, 36, 51, .08); }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  p { margin: 0 0 1.25rem; color: #4a5468; }
  ul { list-style: none; margin: 0; padding: 0; display: grid; gap: .6rem; }
  a { display: block; padding: .75rem 1rem; border-radius: .8rem; background: #f4f6fb; color: #1d2433;
    text-decoration: none; }
  a:hover, a:focus-visible { background: #e8edff; outline: none; }
  a strong { display: block; color: #3b5bfd; }
  a span { color: #4a5468; font-size: .9rem; }
`;

export function homePage(nonce: string, links: HomeLinks): string {
  const items = [
    links.demo && ['/demo', 'Demo app', 'A small integrator: try mobile, desktop and none flows in this browser.'],
    links.devPhone && ['/dev/inbox', 'Dev phone', 'Every text message the server sends in development lands here.'],
    ['/docs/config.md', 'Configuration', 'Every setting with its default and unit.'],
    ['/docs/errors.md', 'Error codes', 'What each code in an error answer means.'],
    ['/healthz', 'Health', 'Answers 200 while the process runs (/readyz: while the database answers).'],
  ].filter((item): item is string[] => Array.isArray(item));
  const list = items
    .map(([href, title, text]) => `<li><a href="${href}"><strong>${title}</strong><span>${text}</span></a></li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Pocketproof</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main>
<h1>Pocketproof</h1>
<p>This server proves that a person holds a phone number, with the API of Prove's V3 MFA (Unify).</p>
<ul>
${list}
</ul>
</main>
</body>
</html>`;
}
