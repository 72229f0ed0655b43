import fc from 'fast-check';
import { hostileValue } from './hostile.js';

/**
 * Request bodies generated from a route's own JSON Schema (the TypeBox schemas the server
 * validates with), so a new field or rule is fuzzed without editing this file. Each field is left
 * out, given a value its schema allows (a meaningful sample by field name when one is known, so
 * requests get past validation into the flows), or given a hostile value; extra keys, prototype
 * keys among them, are added now and then. Bodies are serialised by hand so that a `__proto__` key
 * is sent as the JSON text it is.
 */

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
}

/** Meaningful values by field name: real phone numbers, a live correlation id, a registered device id. */
export type Samples = Record<string, fc.Arbitrary<unknown>>;

const OMIT = Symbol('omit');

export function allowedValue(schema: JsonSchema, samples: Samples, name = ''): fc.Arbitrary<unknown> {
  const generated = fromSchema(schema, samples);
  const sample = samples[name];
  return sample ? fc.oneof({ weight: 3, arbitrary: sample }, { weight: 1, arbitrary: generated }) : generated;
}

function fromSchema(schema: JsonSchema, samples: Samples): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((option) => allowedValue(option, samples)));
  switch (schema.type) {
    case 'string':
      return stringFor(schema);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer();
    case 'number':
      return fc.double();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(allowedValue(schema.items ?? {}, samples), {
        minLength: schema.minItems ?? 0,
        maxLength: schema.maxItems ?? 4,
      });
    case 'object':
      return objectBody(schema, samples).map((entries) => Object.fromEntries(entries));
    default:
      return hostileValue;
  }
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const maxLength = schema.maxLength ?? 200;
  const minLength = schema.minLength ?? 0;
  const base = schema.pattern
    ? fc.stringMatching(new RegExp(schema.pattern, 'u'))
    : fc.string({ unit: 'grapheme', minLength, maxLength });
  return base.map((text) => text.slice(0, maxLength));
}

/** Field entries of an object body: each field omitted, allowed or hostile, plus stray keys. */
export function objectBody(schema: JsonSchema, samples: Samples): fc.Arbitrary<[string, unknown][]> {
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) =>
    fc
      .oneof(
        { weight: required.has(name) ? 1 : 3, arbitrary: fc.constant<unknown>(OMIT) },
        { weight: 8, arbitrary: allowedValue(property, samples, name) },
        { weight: 2, arbitrary: hostileValue },
      )
      .map((value) => [name, value] as [string, unknown]),
  );
  const strays = fc.array(
    fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString'), fc.string()), hostileValue),
    { maxLength: 2 },
  );
  return fc
    .tuple(fc.tuple(...fields), fc.oneof({ weight: 5, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: strays }))
    .map(([present, extra]) => [...present.filter(([, value]) => value !== OMIT), ...extra]);
}

/** JSON text of an object's entries, keeping a `__proto__` key as an ordinary member. */
export function serialiseEntries(entries: [string, unknown][]): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`;
}
