import { type ConfigEntry, configSchema } from './schema.js';

/** Renders `docs/config.md` from the schema; a test keeps the committed file equal to this. */
export function renderConfigDocs(): string {
  const rows = (Object.values(configSchema) as ConfigEntry[]).map((entry) => {
    const fallback =
      (entry.defaultDoc ?? (entry.default === undefined ? '(unset)' : `\`${entry.default}\``)) +
      (entry.developmentDefault === undefined
        ? ''
        : `; \`${entry.developmentDefault}\` with \`NODE_ENV=development\` and the dev inbox`);
    const kind = entry.kind;
    const type =
      kind.type === 'enum'
        ? kind.values.map((v) => `\`${v}\``).join(' \\| ')
        : kind.type === 'int'
          ? `integer ${kind.min}–${kind.max}`
          : kind.type === 'list'
            ? `comma-separated list${kind.values ? ` of ${kind.values.map((v) => `\`${v}\``).join(', ')}` : ''}`
            : kind.type === 'bool'
              ? 'boolean'
              : 'string';
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
