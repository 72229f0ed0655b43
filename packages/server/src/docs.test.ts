import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigDocs } from './config/docs.js';
import { renderErrorDocs } from './errors/docs.js';

const docs = join(import.meta.dirname, '../../../docs');

describe('generated reference docs', () => {
  it('docs/config.md documents every configuration key as the schema says (run npm run docs)', () => {
    expect(readFileSync(join(docs, 'config.md'), 'utf8')).toBe(renderConfigDocs());
  });

  it('docs/errors.md lists every error code of the catalogue (run npm run docs)', () => {
    expect(readFileSync(join(docs, 'errors.md'), 'utf8')).toBe(renderErrorDocs());
  });
});
