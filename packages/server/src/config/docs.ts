import { Type } from 'typebox';
import { type ConfigEntry, type ConfigKind, configSettings } from './schema.js';

/** Renders `docs/config.md` from the schema; a test keeps the committed file equal to this. */
export function renderConfigDocs(): string {
  const rows = (Object.values(configSettings) as ConfigEntry[]).map((entry) => {
    const fallback =
      (entry.defaultDoc ?? (entry.default === undefined ? '(unset)' : `\`${entry.default}\``)) +
      (entry.developmentDefault === undefined
        ? ''
        : `; \`${entry.developmentDefault}\` with \`NODE_ENV=development\` and the dev inbox`);
    const type = typeDoc(entry.kind);
    return `| \`${entry.env}\` | ${type} | ${fallback} | ${entry.unit ?? ''} | ${entry.description}${secretNote(entry)} |`;
  });
  return [
    '# Configuration',
    '',
    'Generated from `packages/server/src/config/schema.ts` by `npm run docs`; do not edit by hand.',
    '',
    'Every key is read from the environment, or from the JSON file named by `CONFIG_FILE` (keys are the',
    'environment names; the environment wins). The configuration is validated at boot: an invalid value',
    'stops the server with a message naming the key. `pocketproof config check` prints the resolved',
    'configuration with secrets redacted.',
    '',
    '| key | type | default | unit | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

function secretNote(entry: ConfigEntry): string {
  if (entry.secret === 'password') return ' *(its password is secret)*';
  return entry.secret ? ' *(secret)*' : '';
}

/** The type column, read from the setting's TypeBox kind. */
function typeDoc(kind: ConfigKind): string {
  const literals = (values: readonly unknown[]) => values.map((v) => `\`${String(v)}\``);
  if (Type.IsEnum(kind)) return literals(kind.enum).join(' \\| ');
  if (Type.IsInteger(kind)) {
    const { minimum, maximum } = kind as { minimum?: number; maximum?: number };
    return `integer ${minimum}–${maximum}`;
  }
  if (Type.IsArray(kind)) {
    return `comma-separated list${Type.IsEnum(kind.items) ? ` of ${literals(kind.items.enum).join(', ')}` : ''}`;
  }
  return Type.IsBoolean(kind) ? 'boolean' : 'string';
}
