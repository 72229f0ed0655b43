import { type TEnum, type TInteger, Type } from 'typebox';

/**
 * An integer setting between `min` and `max`. In a module of its own: the schema's parts import it
 * while `schema.ts`, which spreads them, is still being evaluated.
 */
export const int = (min: number, max: number): TInteger => Type.Integer({ minimum: min, maximum: max });

/** Seconds in a day, for limits and windows written in days. */
export const DAY = 86_400;

/** A setting that takes one of `values`; its type is their union (whatever the context expects). */
export function oneOf<const V extends readonly string[]>(values: V): TEnum<[...V]> {
  return Type.Enum([...values]) as TEnum<[...V]>;
}
