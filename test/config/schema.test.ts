import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { MODELS_SCHEMA_PATH, modelsJsonSchemaText } from '../../src/config/json-schema.ts';

const root = join(new URL('.', import.meta.url).pathname, '../..');

describe('schema/models.schema.json', () => {
  const fresh = modelsJsonSchemaText();

  test('the committed file equals a fresh generation (run: npx tsx scripts/gen-schema.ts)', () => {
    const committed = readFileSync(join(root, MODELS_SCHEMA_PATH), 'utf8');
    expect(committed === fresh, `${MODELS_SCHEMA_PATH} is stale; run: npx tsx scripts/gen-schema.ts`).toBe(true);
  });

  test('describes model fields for editors and rejects unknown keys', () => {
    const schema = JSON.parse(fresh) as {
      properties: { models: { items: { properties: Record<string, { description?: string }>; additionalProperties: boolean; required: string[] } } };
      $defs: Record<string, unknown>;
    };
    const entry = schema.properties.models.items;
    expect(entry.additionalProperties).toBe(false);
    expect(entry.required).toEqual(['name']);
    expect(entry.properties.base_url?.description).toContain('/v1');
    expect(entry.properties.api_key_env?.description).toContain('environment variable');
    expect(Object.keys(schema.$defs)).toEqual(expect.arrayContaining(['Sim', 'Price', 'Launch', 'Benchmarks', 'Thresholds']));
  });

  test('the shipped models.yaml points editors at it', () => {
    const first = readFileSync(join(root, 'models.yaml'), 'utf8').split('\n')[0];
    expect(first).toBe('# yaml-language-server: $schema=./schema/models.schema.json');
  });
});
