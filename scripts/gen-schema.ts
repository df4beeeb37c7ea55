/**
 * Regenerate schema/models.schema.json from the zod schemas in src/config/models.ts.
 * Run: npx tsx scripts/gen-schema.ts (or `npm run gen:schema`). `--check` exits 1 when the
 * committed file is out of date instead of writing it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS_SCHEMA_PATH, modelsJsonSchemaText } from '../src/config/json-schema.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = resolve(root, MODELS_SCHEMA_PATH);
const text = modelsJsonSchemaText();

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // A missing file is out of date too.
  }
  if (current !== text) {
    console.error(`${MODELS_SCHEMA_PATH} is out of date with src/config/models.ts; run: npx tsx scripts/gen-schema.ts`);
    process.exit(1);
  }
  console.log(`${MODELS_SCHEMA_PATH} is up to date.`);
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote ${MODELS_SCHEMA_PATH} (${text.length} bytes)`);
}
