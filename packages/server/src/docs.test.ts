import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigDocs } from './config/docs.js';
import { type ErrorFamily, errorFamilies } from './errors/catalogue.js';
import { errorDocSections, renderErrorDocs } from './errors/docs.js';

const docs = join(import.meta.dirname, '../../../docs');

describe('generated reference docs', () => {
  it('docs/config.md documents every configuration key as the schema says (run npm run docs)', () => {
    expect(readFileSync(join(docs, 'config.md'), 'utf8')).toBe(renderConfigDocs());
  });

  it('docs/errors.md lists every error code of the catalogue (run npm run docs)', () => {
    expect(readFileSync(join(docs, 'errors.md'), 'utf8')).toBe(renderErrorDocs());
  });
});

type DocRow = { code: number; name: string; status?: number; meaning: string };

/** Reads the committed `docs/errors.md` back into rows per family, by its section titles. */
function documentedRows(): Map<string, DocRow[]> {
  const sections = new Map<string, DocRow[]>();
  let rows: DocRow[] | undefined;
  for (const line of readFileSync(join(docs, 'errors.md'), 'utf8').split('\n')) {
    if (line.startsWith('## ')) {
      rows = [];
      sections.set(line.slice(3), rows);
      continue;
    }
    if (!rows || !/^\| \d+ \|/.test(line)) continue;
    const cells = line
      .slice(2, -2)
      .split(/ (?<!\\)\| /)
      .map((cell) => cell.replaceAll('\\|', '|'));
    const [code, name, ...rest] = cells;
    const meaning = rest.at(-1) ?? '';
    const status = rest.length === 2 ? Number(rest[0]) : undefined;
    rows.push({ code: Number(code), name: (name ?? '').replaceAll('`', ''), meaning, ...(status && { status }) });
  }
  return sections;
}

const families = Object.keys(errorFamilies) as ErrorFamily[];

describe('docs/errors.md against the error catalogue (every family)', () => {
  const sections = documentedRows();

  it('has one section per family and no other', () => {
    expect([...sections.keys()].sort()).toEqual(families.map((family) => errorDocSections[family].title).sort());
  });

  describe.each(families)('the %s family', (family) => {
    const catalogue = errorFamilies[family];
    const rows = sections.get(errorDocSections[family].title) ?? [];

    it('documents every code it catalogues, with its number, HTTP status and meaning', () => {
      for (const [name, entry] of Object.entries(catalogue)) {
        const row = rows.find((r) => r.name === name);
        expect(row, `${name} is not documented`).toBeDefined();
        expect(row).toEqual({ name, ...entry });
      }
    });

    it('documents no code that it does not catalogue', () => {
      for (const row of rows) {
        expect(catalogue[row.name], `${row.name} (${row.code}) is documented but not catalogued`).toBeDefined();
        expect(catalogue[row.name]?.code).toBe(row.code);
      }
    });

    it('documents each code and each name once', () => {
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length);
      expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
    });
  });

  it('gives no two names the same wire code, within or across families', () => {
    const codes = families.flatMap((family) => Object.values(errorFamilies[family]).map((entry) => entry.code));
    expect(new Set(codes).size).toBe(codes.length);
  });
});
