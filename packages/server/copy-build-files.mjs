// What tsc does not emit, copied into dist beside the modules that read it:
// - browser scripts (src/**/*.browser.js), served as written (tsc copies no .js file);
// - docs/sandbox.md, which the start banner of `pocketproof sandbox` points at
//   (src/sandbox/docs-path.ts), so that an installed package has it too.
import { cpSync, readdirSync } from 'node:fs';

for (const file of readdirSync('src', { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.browser.js')) cpSync(`src/${file}`, `dist/${file}`);
}
cpSync('../../docs/sandbox.md', 'dist/docs/sandbox.md');
