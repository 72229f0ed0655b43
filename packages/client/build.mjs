// Builds the SDK twice from one source: an ES module for bundlers and an IIFE (global
// `Pocketproof`) for a plain <script> tag, which the server also serves at /sdk/pocketproof.js.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const common = { entryPoints: ['src/index.ts'], bundle: true, minify: true, target: 'es2020', legalComments: 'none' };
await build({ ...common, format: 'esm', outfile: 'dist/pocketproof.mjs' });
await build({ ...common, format: 'iife', globalName: 'Pocketproof', outfile: 'dist/pocketproof.js' });

const bundle = readFileSync('dist/pocketproof.js');
const integrity = `sha384-${createHash('sha384').update(bundle).digest('base64')}`;
const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
writeFileSync(
  'dist/manifest.json',
  `${JSON.stringify({ version, file: 'pocketproof.js', integrity, bytes: bundle.length, gzipBytes: gzipSync(bundle).length }, null, 2)}\n`,
);
console.log(`pocketproof.js ${bundle.length} B (${gzipSync(bundle).length} B gzipped) ${integrity}`);
