/**
 * Recovers results from a run folder's records/*.jsonl when results.json is missing (the run
 * crashed or was killed). Summaries are recomputed from the raw requests; thresholds are not
 * re-judged (their config may have changed), so recovered tests are 'pending' and the outcome
 * says the run did not finish (exit code 2).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RequestRecord, RunHeader } from '../client/types.ts';
import { DIMENSIONS, type Dimension } from '../matchers/meta.ts';
import { summarize } from '../metrics/summary.ts';
import type { TestResult } from './results-types.ts';

export interface RecoveredRecords {
  tests: TestResult[];
  warnings: string[];
}

function dimensionOf(header: RunHeader | undefined, file: string): Dimension | null {
  const fromParams = header?.params?.dimension;
  if (typeof fromParams === 'string') {
    const d = DIMENSIONS.find((x) => x === fromParams);
    if (d) return d;
  }
  const hay = `${header?.test ?? ''} ${basename(file)}`.toLowerCase();
  return DIMENSIONS.find((d) => hay.includes(d)) ?? null;
}

/** Parses one JSONL file; a torn last line (killed mid-write) is skipped and counted. */
export function readRecordsFile(path: string): { header?: RunHeader; records: RequestRecord[]; badLines: number } {
  let header: RunHeader | undefined;
  const records: RequestRecord[] = [];
  let badLines = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      badLines++;
      continue;
    }
    if (typeof v !== 'object' || v === null) badLines++;
    else if ((v as { type?: unknown }).type === 'header') header = v as RunHeader;
    else if (typeof (v as { tSend?: unknown }).tSend === 'number') records.push(v as RequestRecord);
    else badLines++;
  }
  return { ...(header ? { header } : {}), records, badLines };
}

export function recoverFromRecords(runDir: string): RecoveredRecords {
  const dir = join(runDir, 'records');
  const warnings: string[] = [];
  const tests: TestResult[] = [];
  if (!existsSync(dir)) return { tests, warnings: [`${dir} does not exist: nothing to recover`] };
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) {
    const rel = `records/${f}`;
    const { header, records, badLines } = readRecordsFile(join(dir, f));
    if (badLines) warnings.push(`${rel}: ${badLines} unreadable line(s) skipped (torn write?)`);
    const dimension = dimensionOf(header, f);
    const model = header?.model ?? 'unknown';
    const name = header?.test ?? f.replace(/\.jsonl$/, '');
    const params: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(header?.params ?? {})) if (['string', 'number', 'boolean'].includes(typeof v)) params[k] = v as string | number | boolean;
    if (header?.seed !== undefined) params.seed = header.seed;
    const testWarnings = ['recomputed from records after an unfinished run: thresholds were not judged'];
    tests.push({
      id: rel,
      model,
      file: rel,
      name,
      fullName: name,
      dimension,
      state: 'pending',
      durationMs: null,
      errors: [],
      annotations: [],
      tags: dimension ? [dimension] : [],
      bench: dimension
        ? { model, dimension, checks: [], summary: summarize(records), recordsFile: rel, warnings: testWarnings, params }
        : null,
    });
  }
  return { tests, warnings };
}
