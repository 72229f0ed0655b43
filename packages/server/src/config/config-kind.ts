import type { ConfigKind } from './schema.js';

/**
 * An integer setting between `min` and `max`. In a module of its own: the schema's parts import it
 * while `schema.ts`, which spreads them, is still being evaluated.
 */
export const int = (min: number, max: number): ConfigKind => ({ type: 'int', min, max });

/** Seconds in a day, for limits and windows written in days. */
export const DAY = 86_400;
