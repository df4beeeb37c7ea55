/**
 * The JSON Schema of models.yaml, generated from the zod schema (the source of truth) for editor
 * completion and validation (yaml-language-server). scripts/gen-schema.ts writes it to
 * schema/models.schema.json; a test checks the committed file is current.
 */
import { z } from 'zod';
import { modelsFileSchema } from './models.ts';

/** Where the generated schema is committed, relative to the project root. */
export const MODELS_SCHEMA_PATH = 'schema/models.schema.json';

/** The schema as the file's text (stable key order, trailing newline), so regeneration is byte-identical. */
export function modelsJsonSchemaText(): string {
  // io: 'input' describes what a user may write: fields with defaults are optional.
  // Schemas given an id in models.ts (sim, price, launch, thresholds) go to $defs once, by name.
  const schema = z.toJSONSchema(modelsFileSchema, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: 'infer-bench models.yaml' }, null, 2)}\n`;
}
