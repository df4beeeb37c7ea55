/**
 * Regenerates src/report/results-types.ts from schema/results.schema.json, so the JSON Schema
 * stays the single source of truth for results.json. Run: `npx tsx scripts/gen-results-types.ts`
 * (`--check` exits 1 when the checked-in file is stale, for CI).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type JSONSchema } from 'json-schema-to-typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const schemaPath = resolve(root, 'schema/results.schema.json');
const outPath = resolve(root, 'src/report/results-types.ts');

export async function generateResultsTypes(): Promise<string> {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as JSONSchema;
  return compile(schema, 'BenchResults', {
    bannerComment:
      '/**\n * GENERATED from schema/results.schema.json by scripts/gen-results-types.ts. Do not edit by hand.\n */',
    // Types stay exact (and assignable from meta.ts interfaces); the schema itself still accepts
    // fields added to BenchMeta later, so an older validator does not reject a newer run.
    additionalProperties: false,
    cwd: dirname(schemaPath),
    style: { singleQuote: true, printWidth: 120 },
    unreachableDefinitions: true,
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ts = await generateResultsTypes();
  if (process.argv.includes('--check')) {
    const current = readFileSync(outPath, 'utf8');
    if (current !== ts) {
      process.stderr.write(`${outPath} is stale: run npx tsx scripts/gen-results-types.ts\n`);
      process.exitCode = 1;
    }
  } else {
    writeFileSync(outPath, ts);
    process.stdout.write(`wrote ${outPath}\n`);
  }
}
