import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';
import { type ConfigEntry, configSchema, configSettings } from './schema.js';

const entries = Object.entries(configSettings) as [string, ConfigEntry][];

describe('the configuration schema (the Config type comes from it)', () => {
  it('has one property per setting; a setting is optional unless it has a default or is derived', () => {
    expect(Object.keys(configSchema.properties)).toEqual(entries.map(([key]) => key));
    const always = entries.filter(([, entry]) => entry.default !== undefined || entry.derived).map(([key]) => key);
    const optional = entries.map(([key]) => key).filter((key) => !always.includes(key));
    for (const key of always) expect(Type.IsOptional(configSchema.properties[key as never]), key).toBe(false);
    for (const key of optional) expect(Type.IsOptional(configSchema.properties[key as never]), key).toBe(true);
  });

  it('a derived setting has no default of its own and says in the docs how it is derived', () => {
    for (const [key, entry] of entries.filter(([, e]) => e.derived)) {
      expect(entry.default, key).toBeUndefined();
      expect(entry.defaultDoc, key).toBeTruthy();
    }
  });

  it('the loaded configuration matches the schema in every environment, derived settings included', () => {
    for (const env of [{}, { NODE_ENV: 'test' }, { NODE_ENV: 'production' }, { SANDBOX: 'prove' }]) {
      const config = loadConfig(env);
      expect(Value.Check(configSchema, config), JSON.stringify(env)).toBe(true);
      for (const [key, entry] of entries.filter(([, e]) => e.derived)) {
        expect(config[key as keyof typeof config], key).not.toBeUndefined();
        expect(Value.Check(entry.kind, config[key as keyof typeof config]), key).toBe(true);
      }
    }
  });
});
