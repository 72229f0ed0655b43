// Regenerates docs/config.md and docs/errors.md from the code (after `npm run build`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { renderConfigDocs } from '../packages/server/dist/config/docs.js';
import { renderErrorDocs } from '../packages/server/dist/errors/docs.js';

mkdirSync('docs', { recursive: true });
writeFileSync('docs/config.md', renderConfigDocs());
writeFileSync('docs/errors.md', renderErrorDocs());
console.log('wrote docs/config.md and docs/errors.md');
