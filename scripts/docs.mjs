// Regenerates docs/config.md, docs/errors.md and docs/openapi.json from the code (after `npm run build`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { renderConfigDocs } from '../packages/server/dist/config/docs.js';
import { renderErrorDocs } from '../packages/server/dist/errors/docs.js';
import { renderOpenApiDocument } from '../packages/server/dist/http/openapi-document.js';

mkdirSync('docs', { recursive: true });
writeFileSync('docs/config.md', renderConfigDocs());
writeFileSync('docs/errors.md', renderErrorDocs());
writeFileSync('docs/openapi.json', await renderOpenApiDocument());
console.log('wrote docs/config.md, docs/errors.md and docs/openapi.json');
