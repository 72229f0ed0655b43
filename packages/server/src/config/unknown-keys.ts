import { type ConfigEntry, configSettings } from './schema.js';

const knownNames: readonly string[] = [
  ...(Object.values(configSettings) as ConfigEntry[]).map((entry) => entry.env),
  'CONFIG_FILE',
];

/**
 * Environment variables that are not settings but look like a misspelt one (`PHONE_SEND_LIMT`,
 * `port`): a typo would otherwise leave the default in force without a word. Unrelated variables
 * (`PATH`, `HOME`, `NODE_OPTIONS`) are too far from every name to be reported.
 */
export function misspeltSettings(env: Record<string, string | undefined>): string[] {
  const known = new Set(knownNames);
  const warnings: string[] = [];
  for (const name of Object.keys(env)) {
    if (known.has(name)) continue;
    const match = closestSetting(name);
    if (match) warnings.push(`${name} is not a Pocketproof setting and is ignored; did you mean ${match}?`);
  }
  return warnings;
}

function closestSetting(name: string): string | undefined {
  const upper = name.toUpperCase();
  // One edit in a short name is how HOST becomes HOME; a typo in a short name is rare enough to miss.
  const allowed = upper.length < 6 ? 0 : upper.length < 12 ? 1 : 2;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of knownNames) {
    const distance = editDistance(upper, candidate);
    if (distance <= allowed && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return Number.POSITIVE_INFINITY;
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const above = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
