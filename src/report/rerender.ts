/**
 * The `report` command's logic: re-render a run folder from its files, and compare two run
 * folders. Kept apart from the CLI wrapper so tests call it directly.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { buildResults } from './build.ts';
import { compareModels } from './compare.ts';
import { readConfigInfo, readRegressionThresholds } from './config-info.ts';
import { recoverFromRecords } from './from-records.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import type { BenchResults, Comparison } from './results-types.ts';
import { runIdOf } from './run-dir.ts';
import { scrubSecrets, secretValues } from './sanitize.ts';
import { buildComparisonReport } from './sections.ts';
import { writeReports } from './write.ts';

const SCHEMA_URL = new URL('../../schema/results.schema.json', import.meta.url);

/** Reads and validates results.json; throws with the schema errors when it does not conform. */
export function readResults(runDir: string): BenchResults {
  const path = join(runDir, 'results.json');
  const doc = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object);
  if (!validate(doc)) {
    const errs = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
    throw new Error(`${path} does not match schema/results.schema.json: ${errs.join('; ')}`);
  }
  return doc as BenchResults;
}

/** results.json when present; otherwise recomputed from records/*.jsonl (after a crash). */
export function loadRun(runDir: string, root = process.cwd()): { results: BenchResults; source: 'results.json' | 'records' } {
  if (existsSync(join(runDir, 'results.json'))) return { results: readResults(runDir), source: 'results.json' };
  const { tests, warnings } = recoverFromRecords(runDir);
  const results = buildResults({
    runId: runIdOf(runDir),
    tests,
    runErrors: ['the run did not finish (no results.json): summaries recomputed from records/*.jsonl, thresholds not judged', ...warnings],
    root,
  });
  return { results, source: 'records' };
}

export async function rerender(runDir: string, root = process.cwd()): Promise<{ results: BenchResults; source: string; files: string[] }> {
  const { results, source } = loadRun(runDir, root);
  const secrets = secretValues(readConfigInfo(root).apiKeyEnvs);
  const { files } = await writeReports(runDir, results, secrets);
  return { results, source, files };
}

/** Pairs models across two runs: same names first; a lone model on each side pairs with the other. */
export function pairModels(a: BenchResults, b: BenchResults): [string, string][] {
  const an = [...new Set(a.tests.map((t) => t.model))];
  const bn = [...new Set(b.tests.map((t) => t.model))];
  const same = bn.filter((m) => an.includes(m)).map((m): [string, string] => [m, m]);
  if (same.length) return same;
  if (an.length === 1 && bn.length === 1) return [[an[0]!, bn[0]!]];
  return [];
}

export interface RunComparison {
  comparisons: Comparison[];
  markdownFile: string;
  htmlFile: string;
  markdown: string;
}

/** Compares run B (candidate) with run A (baseline); writes comparison-vs-<A>.md/.html into B. */
export function compareRuns(runA: string, runB: string, root = process.cwd()): RunComparison {
  const a = loadRun(runA, root).results;
  const b = loadRun(runB, root).results;
  const config = readConfigInfo(root);
  const thresholds = readRegressionThresholds(config.goldenFile);
  const pairs = pairModels(a, b);
  if (!pairs.length) {
    throw new Error(`No model to compare: ${runA} has ${[...new Set(a.tests.map((t) => t.model))].join(', ') || 'none'}, ${runB} has ${[...new Set(b.tests.map((t) => t.model))].join(', ') || 'none'}.`);
  }
  const comparisons = pairs.map(([base, cand]) => {
    const c = compareModels({
      candidate: cand === base ? `${cand} (${b.runId})` : cand,
      baseline: cand === base ? `${base} (${a.runId})` : base,
      candidateTests: b.tests.filter((t) => t.model === cand),
      baselineTests: a.tests.filter((t) => t.model === base),
      thresholds,
      source: `report --compare ${a.runId} ${b.runId}`,
    });
    return c;
  });
  const blocks = buildComparisonReport(`Comparison: ${b.runId} vs ${a.runId}`, comparisons, thresholds);
  const secrets = secretValues(config.apiKeyEnvs);
  const markdown = scrubSecrets(renderMarkdown(blocks), secrets);
  const markdownFile = join(runB, `comparison-vs-${a.runId}.md`);
  const htmlFile = join(runB, `comparison-vs-${a.runId}.html`);
  writeFileSync(markdownFile, markdown);
  writeFileSync(htmlFile, scrubSecrets(renderHtml(blocks, `Comparison ${b.runId} vs ${a.runId}`), secrets));
  return { comparisons, markdownFile, htmlFile, markdown };
}
