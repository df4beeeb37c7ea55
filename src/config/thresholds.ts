/**
 * One threshold model for the whole suite. Thresholds come from three places and all end up as the
 * same normalised `Threshold`:
 * - k6-style expressions in models.yaml `thresholds:` (global, per model): keyed by metric
 *   `{ ttft: ['p(95) < 2000'] }` or self-contained `['p(95)(ttft) < 2000', 'rate(errors) < 0.05']`,
 *   each optionally `{ fail: 'p(95) < 3000', warn: 'p(95) < 2000' }`;
 * - the older tool's keys in `benchmarks.<section>.thresholds` (e.g. `p95_ttft_ms_max: 2000`);
 * - the golden set's `acceptance_criteria`.
 * Everything is parsed and validated when the config loads, before any request is sent.
 */
import { z } from 'zod';
import type { Dimension } from '../matchers/meta.ts';
import { DIMENSIONS } from '../matchers/meta.ts';
import { ConfigError, formatPath, describeValue, suggestion, type ConfigErrorCode, type ConfigIssue } from './errors.ts';
import type { ModelsConfig } from './models.ts';
import type { PathIssue } from './validate.ts';
import {
  ACCEPTANCE_KEYS,
  LEGACY_BENCHMARK_KEYS,
  METRICS,
  METRIC_NAMES,
  unitOf,
  type LegacyKey,
  type LegacySection,
  type MetricInfo,
  type Stat,
  type ThresholdOp,
} from './vocabulary.ts';

export type { Stat, StatKind, ThresholdOp } from './vocabulary.ts';

/** A threshold, normalised. `fail` breaks the test; `warn` (stricter, same direction) only records a warning. */
export interface Threshold {
  /** Unique per model: `latency.ttft.p95`, `accuracy.errors.rate`. */
  id: string;
  dimension: Dimension;
  metric: string;
  stat: Stat;
  op: ThresholdOp;
  fail: number;
  warn?: number;
  /** `ms`, `tok/s`, `req/s`, `x` or '' for fractions and counts. */
  unit: string;
  /** Where it was declared: `models.yaml#benchmarks.ttft.thresholds.p95_ttft_ms_max`. */
  source: string;
  /** The expression as written (k6 form) or its equivalent for the older tool's keys: `p(95) <= 2000`. */
  expr: string;
}

// ---------------------------------------------------------------- schema of a `thresholds:` block

const dimensionSchema = z.enum(DIMENSIONS as [Dimension, ...Dimension[]]);

/** One k6-style threshold: an expression, or fail/warn levels. */
export const thresholdSpecSchema = z.union([
  z.string().describe('k6-style expression, e.g. "p(95) < 2000" (keyed form) or "p(95)(ttft) < 2000"'),
  z
    .strictObject({
      fail: z.string().describe('expression whose failure fails the test, e.g. "p(95) < 3000"'),
      warn: z
        .union([z.string(), z.number()])
        .optional()
        .describe('stricter level that only records a warning: an expression with the same aggregation and comparison, or just the number'),
      dimension: dimensionSchema.optional().describe("dimension whose spec judges it; default: the metric's own"),
    })
    .describe('a threshold with a fail level and an optional warn level'),
]);

/**
 * `thresholds:` in k6 form: keyed by metric (`ttft: ['p(95) < 2000']`) or a list of
 * self-contained expressions (`- 'rate(errors) < 0.05'`).
 */
export const thresholdsBlockSchema = z.union([
  z.record(z.string(), z.union([thresholdSpecSchema, z.array(thresholdSpecSchema).min(1)])).describe(
    `keyed by metric (${METRIC_NAMES.join(', ')}); each value one expression or a list`,
  ),
  z.array(thresholdSpecSchema).describe('self-contained expressions naming their metric, e.g. "p(95)(ttft) < 2000"'),
]).meta({ id: 'Thresholds' });

export type ThresholdSpec = z.infer<typeof thresholdSpecSchema>;
export type ThresholdsBlock = z.infer<typeof thresholdsBlockSchema>;

// ---------------------------------------------------------------- expressions

/** A problem in one threshold, located by its path in the file it came from. */
export type ThresholdIssue = Omit<PathIssue, 'related'> & { file: string };

/** Thrown by `parseExpression`; carries the problem without a location (the caller adds it). */
export class ThresholdSyntaxError extends Error {
  override readonly name = 'ThresholdSyntaxError';
  constructor(readonly detail: Omit<ThresholdIssue, 'file' | 'path'>) {
    super(`${detail.problem}${detail.expected ? `; expected ${detail.expected}` : ''}${detail.hint ? `; ${detail.hint}` : ''}`);
  }
}

export interface ParsedExpression {
  /** Present when the expression names its metric: `p(95)(ttft) < 2000`. */
  metric?: string;
  stat: Stat;
  op: ThresholdOp;
  value: number;
}

const OPS: readonly ThresholdOp[] = ['<', '<=', '>', '>='];
const WORD_STATS = ['avg', 'min', 'max', 'med', 'rate', 'value', 'count'] as const;
const EXPR_SHAPE = 'an expression like "p(95) < 2000", "avg < 500", "rate < 0.05" or "value > 30"';
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

function fail(problem: string, extra: Omit<ThresholdIssue, 'file' | 'path' | 'problem' | 'code'> = {}, code: ConfigErrorCode = 'INVALID_THRESHOLD'): never {
  throw new ThresholdSyntaxError({ code, problem, ...extra });
}

/**
 * Parse one k6-style expression. `keyMetric` is the metric of the key it sits under (keyed form);
 * without it the expression must name its metric: `p(95)(ttft) < 2000`, `rate(errors) < 0.05`.
 * Throws ThresholdSyntaxError; semantic checks (metric supports the aggregation, ranges) are in
 * `checkExpression`.
 */
export function parseExpression(text: string, keyMetric?: string): ParsedExpression & { metric: string } {
  const src = text.trim();
  const received = JSON.stringify(text);
  const m = /^(p\s*\(([^)]*)\)|[A-Za-z_][A-Za-z0-9_.]*)\s*(?:\(([^)]*)\))?\s*([<>=!]+)?\s*(.*)$/.exec(src);
  if (!m) fail('not a threshold expression', { expected: EXPR_SHAPE, received });
  const [, statText = '', pText, metricText, opText, numText = ''] = m;

  let stat: Stat;
  if (pText !== undefined) {
    const p = Number(pText.trim());
    if (pText.trim() === '' || !Number.isFinite(p)) fail(`percentile "${pText.trim()}" is not a number`, { expected: 'p(N) with 0 < N <= 100, e.g. p(95)', received });
    if (!(p > 0 && p <= 100)) fail(`percentile ${p} is outside (0, 100]`, { expected: 'p(N) with 0 < N <= 100, e.g. p(95) or p(99.9)', received });
    stat = { kind: 'p', p };
  } else {
    const word = statText.toLowerCase();
    if (word === 'med') stat = { kind: 'p', p: 50 };
    else if ((WORD_STATS as readonly string[]).includes(word)) stat = { kind: word as 'avg' | 'min' | 'max' | 'rate' | 'value' | 'count' };
    else {
      const pShort = /^p(\d+(?:\.\d+)?)$/.exec(word);
      let hint: string;
      if (pShort) hint = `write percentiles as p(${pShort[1]})`;
      else if (METRICS[word]) hint = `put an aggregation before the metric, e.g. "p(95)(${word}) < 2000" or "avg(${word}) < 500"`;
      else hint = suggestion(word, [...WORD_STATS, 'p(N)'], 'aggregations');
      fail(`unknown aggregation "${statText}"`, { expected: 'p(N), avg, min, max, med, rate, value or count', received, hint });
    }
  }

  let metric = keyMetric;
  if (metricText !== undefined) {
    const named = metricText.trim();
    if (keyMetric !== undefined && named !== keyMetric) {
      fail(`expression names metric "${named}" but sits under key "${keyMetric}"`, { received, hint: `move it under "${named}" or drop "(${named})"` });
    }
    metric = named;
  }
  if (metric === undefined) {
    fail('expression does not name its metric', {
      expected: 'a self-contained expression like "p(95)(ttft) < 2000" or "rate(errors) < 0.05" in a list, or the keyed form "ttft: [\'p(95) < 2000\']"',
      received,
    });
  }
  if (!METRICS[metric]) {
    fail(`unknown metric "${metric}"`, { expected: `one of ${METRIC_NAMES.join(', ')}`, received, hint: suggestion(metric, METRIC_NAMES, 'metrics') }, 'UNKNOWN_METRIC');
  }

  if (opText === undefined) fail('missing comparison', { expected: 'one of <, <=, >, >= followed by a number', received });
  if (!(OPS as readonly string[]).includes(opText)) {
    const hint = opText === '==' || opText === '===' || opText === '=' || opText === '!='
      ? 'equality never holds for measured values; use <, <=, > or >='
      : `did you mean "${opText.includes('<') ? '<=' : '>='}"?`;
    fail(`unsupported comparison "${opText}"`, { expected: 'one of <, <=, >, >=', received, hint });
  }
  const num = numText.trim();
  if (num === '') fail('missing limit after the comparison', { expected: 'a number', received });
  if (!NUMBER.test(num)) {
    const unit = /^[-+]?[\d.]+(?:[eE][-+]?\d+)?\s*(ms|s|%|tok\/s|req\/s|x)$/.exec(num);
    const info = METRICS[metric]!;
    const hint = unit
      ? unit[1] === '%'
        ? `rates are fractions: write ${Number(num.replace('%', '')) / 100} for ${num}`
        : `write the number alone; ${info.label} is in ${unitOf(info, stat) || 'plain numbers'}`
      : undefined;
    fail(`limit "${num}" is not a number`, { expected: 'a plain number such as 2000 or 0.05', received, ...(hint ? { hint } : {}) });
  }
  return { metric, stat, op: opText as ThresholdOp, value: Number(num) };
}

/** `p(95)`, `avg`, `rate`... as written in expressions. */
export function statText(stat: Stat): string {
  return stat.kind === 'p' ? `p(${stat.p})` : stat.kind;
}

/** `p95`, `avg`: the form used in ids and descriptions. */
export function statKey(stat: Stat): string {
  return stat.kind === 'p' ? `p${stat.p}` : stat.kind;
}

function bounds(info: MetricInfo, stat: Stat): { lo: number; hi: number; what: string; integer?: boolean } {
  if (stat.kind === 'rate') return { lo: 0, hi: 1, what: 'a fraction between 0 and 1' };
  if (stat.kind === 'count') return { lo: 0, hi: Infinity, what: 'a whole number of 0 or more', integer: true };
  switch (info.domain) {
    case 'fraction':
      return { lo: 0, hi: 1, what: 'a fraction between 0 and 1' };
    case 'delta':
      return { lo: -1, hi: 1, what: 'a difference of fractions between -1 and 1' };
    case 'ratio':
      return { lo: 0, hi: Infinity, what: 'a ratio above 0 (1.3 = 30% slower)' };
    case 'count':
      return { lo: 0, hi: Infinity, what: 'a whole number of 0 or more', integer: true };
    default:
      return { lo: 0, hi: Infinity, what: `a number of 0 or more (${info.unit})` };
  }
}

/** Semantic checks on a parsed expression: the aggregation suits the metric, the limit is in range and decides something. */
export function checkExpression(e: ParsedExpression & { metric: string }, received: string): void {
  const info = METRICS[e.metric]!;
  if (!info.stats.includes(e.stat.kind)) {
    const allowed = info.stats.map((k) => (k === 'p' ? 'p(N)' : k)).join(', ');
    fail(`${e.metric} does not take "${statText(e.stat)}"`, { expected: `${allowed} for ${info.label}`, received, hint: `e.g. "${info.stats[0] === 'p' ? 'p(95)' : info.stats[0]}(${e.metric}) ${e.op} ..."` });
  }
  if (e.stat.kind === 'p' && info.percentiles && !info.percentiles.includes(e.stat.p)) {
    fail(`${e.metric} is computed for ${info.percentiles.map((p) => `p(${p})`).join(' and ')} only`, { expected: info.percentiles.map((p) => `p(${p})`).join(' or '), received });
  }
  const b = bounds(info, e.stat);
  const outside = e.value < b.lo || e.value > b.hi || (b.integer && !Number.isInteger(e.value));
  if (outside) {
    const hint = b.hi === 1 && e.value > 1 && e.value <= 100 ? `rates are fractions: ${e.value}% is ${e.value / 100}` : undefined;
    fail(`limit ${e.value} is out of range for ${info.label}`, { expected: b.what, received, ...(hint ? { hint } : {}) });
  }
  const never =
    (e.op === '<' && e.value <= b.lo) || (e.op === '<=' && e.value < b.lo) || (e.op === '>' && e.value >= b.hi) || (e.op === '>=' && e.value > b.hi);
  const always =
    (e.op === '<=' && e.value >= b.hi) || (e.op === '<' && e.value > b.hi) || (e.op === '>=' && e.value <= b.lo) || (e.op === '>' && e.value < b.lo);
  if (never) fail(`"${statText(e.stat)} ${e.op} ${e.value}" can never pass`, { received, hint: `${info.label} is ${b.what}` });
  if (always) fail(`"${statText(e.stat)} ${e.op} ${e.value}" can never fail`, { received, hint: `${info.label} is ${b.what}; tighten the limit or remove the threshold` });
}

function isStricter(op: ThresholdOp, warn: number, failAt: number): boolean {
  return op === '<' || op === '<=' ? warn < failAt : warn > failAt;
}

// ---------------------------------------------------------------- building thresholds

interface Ctx {
  file: string;
  issues: ThresholdIssue[];
}

function record(ctx: Ctx, path: PropertyKey[], err: unknown): void {
  if (err instanceof ThresholdSyntaxError) ctx.issues.push({ file: ctx.file, path, ...err.detail });
  else throw err;
}

function make(
  metric: string,
  stat: Stat,
  op: ThresholdOp,
  failAt: number,
  warn: number | undefined,
  source: string,
  expr: string,
  dimension?: Dimension,
): Threshold {
  const info = METRICS[metric]!;
  const dim = dimension ?? info.dimension;
  return {
    id: `${dim}.${metric}.${statKey(stat)}`,
    dimension: dim,
    metric,
    stat,
    op,
    fail: failAt,
    ...(warn !== undefined ? { warn } : {}),
    unit: unitOf(info, stat),
    source,
    expr,
  };
}

function fromSpec(spec: ThresholdSpec, keyMetric: string | undefined, path: PropertyKey[], ctx: Ctx): Threshold | undefined {
  const failText = typeof spec === 'string' ? spec : spec.fail;
  const failPath = typeof spec === 'string' ? path : [...path, 'fail'];
  let parsed: ParsedExpression & { metric: string };
  try {
    parsed = parseExpression(failText, keyMetric);
    checkExpression(parsed, JSON.stringify(failText));
  } catch (err) {
    record(ctx, failPath, err);
    return undefined;
  }
  let warn: number | undefined;
  if (typeof spec !== 'string' && spec.warn !== undefined) {
    const w = spec.warn;
    try {
      let value: number;
      if (typeof w === 'number') value = w;
      else {
        const pw = parseExpression(w, parsed.metric);
        if (pw.metric !== parsed.metric || statKey(pw.stat) !== statKey(parsed.stat) || pw.op !== parsed.op) {
          fail('warn must use the same metric, aggregation and comparison as fail', {
            expected: `"${statText(parsed.stat)} ${parsed.op} <number>"`,
            received: JSON.stringify(w),
          });
        }
        value = pw.value;
      }
      checkExpression({ ...parsed, value }, JSON.stringify(w));
      if (!isStricter(parsed.op, value, parsed.value)) {
        fail(`warn level ${value} is not stricter than the fail level ${parsed.value}`, {
          expected: `a warn level ${parsed.op.startsWith('<') ? 'below' : 'above'} ${parsed.value}`,
          received: JSON.stringify(w),
          hint: 'a warning must trigger before the failure does; swap the two or drop warn',
        });
      }
      warn = value;
    } catch (err) {
      record(ctx, [...path, 'warn'], err);
      return undefined;
    }
  }
  const dimension = typeof spec === 'string' ? undefined : spec.dimension;
  return make(parsed.metric, parsed.stat, parsed.op, parsed.value, warn, `${ctx.file}#${formatPath(path)}`, failText.trim(), dimension);
}

/** Parse a k6-style `thresholds:` block (either form). Problems are appended to `issues`, never thrown. */
export function parseThresholdsBlock(block: ThresholdsBlock, file: string, path: PropertyKey[], issues: ThresholdIssue[]): Threshold[] {
  const ctx: Ctx = { file, issues };
  const out: Threshold[] = [];
  if (Array.isArray(block)) {
    block.forEach((spec, i) => {
      const t = fromSpec(spec, undefined, [...path, i], ctx);
      if (t) out.push(t);
    });
  } else {
    for (const [key, value] of Object.entries(block)) {
      if (!METRICS[key]) {
        issues.push({ file, path: [...path, key], code: 'UNKNOWN_METRIC', problem: `unknown metric "${key}"`, expected: `one of ${METRIC_NAMES.join(', ')}`, hint: suggestion(key, METRIC_NAMES, 'metrics') });
        continue;
      }
      const specs = Array.isArray(value) ? value : [value];
      specs.forEach((spec, i) => {
        const t = fromSpec(spec, key, Array.isArray(value) ? [...path, key, i] : [...path, key], ctx);
        if (t) out.push(t);
      });
    }
  }
  return rejectDuplicates(out, file, path, issues);
}

function rejectDuplicates(list: Threshold[], file: string, path: PropertyKey[], issues: ThresholdIssue[]): Threshold[] {
  const seen = new Map<string, Threshold>();
  for (const t of list) {
    const prev = seen.get(t.id);
    if (prev) {
      issues.push({
        file,
        path: sourcePath(t.source) ?? path,
        code: 'DUPLICATE_THRESHOLD',
        problem: `a second threshold on ${t.id}`,
        received: JSON.stringify(t.expr),
        hint: `"${prev.expr}" (${prev.source}) already sets it; use { fail, warn } for two levels`,
      });
    } else seen.set(t.id, t);
  }
  return [...seen.values()];
}

function sourcePath(source: string): PropertyKey[] | undefined {
  const hash = source.indexOf('#');
  if (hash < 0) return undefined;
  const out: PropertyKey[] = [];
  for (const m of source.slice(hash + 1).matchAll(/([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(`"${m[3]}"`) as string);
  }
  return out;
}

function fromLegacy(keys: Readonly<Record<string, LegacyKey>>, obj: Record<string, unknown>, file: string, path: PropertyKey[], issues: ThresholdIssue[]): Threshold[] {
  const out: Threshold[] = [];
  for (const [key, raw] of Object.entries(obj)) {
    const here = [...path, key];
    const def = keys[key];
    if (!def) {
      const names = Object.keys(keys);
      issues.push({ file, path: here, code: 'UNKNOWN_KEY', problem: 'unknown threshold key', expected: `one of ${names.join(', ')}`, hint: suggestion(key, names) });
      continue;
    }
    if (raw === undefined || raw === null) continue;
    if (typeof raw !== 'number' || !Number.isFinite(raw)) {
      issues.push({ file, path: here, code: 'INVALID_TYPE', problem: 'must be a number', expected: 'a number', received: describeValue(raw) });
      continue;
    }
    const expr = `${statText(def.stat)} ${def.op} ${raw}`;
    try {
      checkExpression({ metric: def.metric, stat: def.stat, op: def.op, value: raw }, `${key}: ${raw}`);
    } catch (err) {
      if (err instanceof ThresholdSyntaxError) {
        issues.push({ file, path: here, ...err.detail, received: String(raw) });
        continue;
      }
      throw err;
    }
    out.push(make(def.metric, def.stat, def.op, raw, undefined, `${file}#${formatPath(here)}`, expr, def.dimension));
  }
  return out;
}

/** The older tool's `benchmarks:` block: every `<section>.thresholds` mapped onto the vocabulary. */
export function parseLegacyBenchmarks(benchmarks: Record<string, unknown> | undefined, file: string, path: PropertyKey[], issues: ThresholdIssue[]): Threshold[] {
  const out: Threshold[] = [];
  if (!benchmarks) return out;
  for (const section of Object.keys(LEGACY_BENCHMARK_KEYS) as LegacySection[]) {
    const sec = benchmarks[section] as { thresholds?: Record<string, unknown> } | undefined;
    if (sec?.thresholds) out.push(...fromLegacy(LEGACY_BENCHMARK_KEYS[section], sec.thresholds, file, [...path, section, 'thresholds'], issues));
  }
  return out;
}

/** Golden `acceptance_criteria` (category_precision_min, ... error_rate_max) as thresholds. */
export function parseAcceptanceCriteria(criteria: Record<string, unknown>, file: string, issues: ThresholdIssue[], path: PropertyKey[] = ['acceptance_criteria']): Threshold[] {
  return fromLegacy(ACCEPTANCE_KEYS, criteria, file, path, issues);
}

// ---------------------------------------------------------------- resolution

/** Thresholds of one model and the problems found, without throwing (the loader locates them in the YAML). */
export function collectThresholds(
  config: ModelsConfig,
  modelName: string,
  acceptanceCriteria?: Record<string, unknown>,
  goldenFile = 'golden/expectations.json',
): { thresholds: Threshold[]; issues: ThresholdIssue[] } {
  const issues: ThresholdIssue[] = [];
  const index = config.models.findIndex((m) => m.name === modelName);
  const model = config.models[index];
  if (!model) {
    const names = config.models.map((m) => m.name);
    throw new ConfigError({
      code: 'INVALID_VALUE',
      file: config.file,
      field: 'models',
      problem: `no model named "${modelName}"`,
      expected: `one of ${names.join(', ')}`,
      hint: suggestion(modelName, names, 'models'),
    });
  }
  // Later levels replace earlier ones for the same dimension, metric and aggregation.
  const levels: Threshold[][] = [
    acceptanceCriteria ? parseAcceptanceCriteria(acceptanceCriteria, goldenFile, issues) : [],
    parseLegacyBenchmarks(config.benchmarks, config.file, ['benchmarks'], issues),
    config.thresholds ? parseThresholdsBlock(config.thresholds, config.file, ['thresholds'], issues) : [],
    parseLegacyBenchmarks(model.benchmarks, config.file, ['models', index, 'benchmarks'], issues),
    model.thresholds ? parseThresholdsBlock(model.thresholds, config.file, ['models', index, 'thresholds'], issues) : [],
  ];
  const byId = new Map<string, Threshold>();
  for (const level of levels) for (const t of level) byId.set(t.id, t);
  return { thresholds: [...byId.values()], issues };
}

/** Turn threshold issues into config issues (no source position: the loader adds positions when it has the YAML). */
export function thresholdIssueToConfigIssue(i: ThresholdIssue): ConfigIssue {
  const { path, ...rest } = i;
  return { ...rest, field: formatPath(path) };
}

/**
 * Every threshold that applies to `modelName`, lowest precedence first: golden
 * `acceptance_criteria`, then models.yaml `benchmarks.*.thresholds`, top-level `thresholds:`, the
 * model's own `benchmarks.*.thresholds`, and the model's `thresholds:`. A later level replaces an
 * earlier threshold on the same dimension, metric and aggregation. Throws ConfigError on any invalid
 * threshold (`goldenFile` names the file `acceptanceCriteria` came from, for messages and `source`).
 */
export function resolveThresholds(
  config: ModelsConfig,
  modelName: string,
  acceptanceCriteria?: Record<string, unknown>,
  goldenFile = 'golden/expectations.json',
): Threshold[] {
  const { thresholds, issues } = collectThresholds(config, modelName, acceptanceCriteria, goldenFile);
  if (issues.length) throw new ConfigError(issues.map(thresholdIssueToConfigIssue));
  return thresholds;
}

/** The first threshold on `metric` (and aggregation, when given; `p` must match its percentile). */
export function findThreshold(list: readonly Threshold[], metric: string, stat?: Stat): Threshold | undefined {
  return list.find((t) => t.metric === metric && (stat === undefined || statKey(t.stat) === statKey(stat)));
}

function fmtNumber(v: number, unit: string, stat: Stat): string {
  if (stat.kind === 'rate') return `${+(v * 100).toPrecision(6)}%`;
  return unit ? `${v} ${unit}` : String(v);
}

/** `p95 TTFT < 2000 ms`, `error rate <= 5%`, `output throughput >= 30 tok/s (warn >= 40 tok/s)`. */
export function describeThreshold(t: Threshold): string {
  const info = METRICS[t.metric];
  const label = info?.label ?? t.metric;
  const prefix = t.stat.kind === 'p' || t.stat.kind === 'avg' || t.stat.kind === 'min' || t.stat.kind === 'max' ? `${statKey(t.stat)} ` : '';
  const name = t.stat.kind === 'count' && info?.stats.length !== 1 ? `${label} (count)` : label;
  const warn = t.warn !== undefined ? ` (warn ${t.op} ${fmtNumber(t.warn, t.unit, t.stat)})` : '';
  return `${prefix}${name} ${t.op} ${fmtNumber(t.fail, t.unit, t.stat)}${warn}`;
}
