// Browser scripts (src/**/*.browser.js) are served as written, and tsc copies no .js file: the
// build copies them into dist beside the modules that read them.
import { cpSync, readdirSync } from 'node:fs';

for (const file of readdirSync('src', { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.browser.js')) cpSync(`src/${file}`, `dist/${file}`);
}
