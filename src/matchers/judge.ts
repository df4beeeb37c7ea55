/**
 * The judgement every threshold matcher shares: compare a measured value with a fail level and an
 * optional warn level, refuse to judge what was not measured or measured too few times, and say
 * so in one sentence a user can act on. Plain TypeScript: no Vitest here.
 */
import type { CheckResult, CheckStatus } from './meta.ts';

export type Op = CheckResult['op'];

export interface CheckSpec {
  /** e.g. `p95 TTFT`. */
  name: string;
  metric: string;
  op: Op;
  fail: number;
  warn?: number;
  actual: number | null;
  n: number | null;
  unit?: string;
  /** Below this many samples the statistic is noise and the check fails instead of judging. */
  minN?: number;
  /** Extra context for the message, e.g. `concurrency 1`. */
  context?: string;
  source?: string;
}

const WORDS: Record<Op, string> = { '<': 'below', '<=': 'at most', '>': 'above', '>=': 'at least', '==': 'equal to' };

export function holds(op: Op, actual: number, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
      return actual === limit;
  }
}

export function formatValue(v: number, unit?: string): string {
  const abs = Math.abs(v);
  const digits = abs >= 100 || Number.isInteger(v) ? 1 : abs >= 1 ? 2 : 3;
  const s = Number.isInteger(v) && abs < 1e6 && unit !== 'ms' ? String(v) : v.toFixed(digits);
  return unit ? `${s} ${unit}` : s;
}

export function judge(spec: CheckSpec): CheckResult {
  const expectation = `expected ${spec.name} ${WORDS[spec.op]} ${formatValue(spec.fail, spec.unit)}`;
  const ctxParts = [spec.n !== null ? `n=${spec.n}` : undefined, spec.context].filter(Boolean);
  const ctx = ctxParts.length ? ` (${ctxParts.join(', ')})` : '';
  let status: CheckStatus;
  let message: string;
  if (spec.actual === null || Number.isNaN(spec.actual)) {
    status = 'fail';
    message = `${expectation}, but it could not be measured${ctx}: no successful sample carried it`;
  } else if (spec.minN !== undefined && spec.n !== null && spec.n < spec.minN) {
    status = 'fail';
    message = `${expectation}, got ${formatValue(spec.actual, spec.unit)}${ctx}, but ${spec.n} samples are too few to judge ${spec.name} (need at least ${spec.minN}); raise the sample count or use a lower percentile`;
  } else if (!holds(spec.op, spec.actual, spec.fail)) {
    status = 'fail';
    message = `${expectation}, got ${formatValue(spec.actual, spec.unit)}${ctx}`;
  } else if (spec.warn !== undefined && !holds(spec.op, spec.actual, spec.warn)) {
    status = 'warn';
    message = `${spec.name} ${formatValue(spec.actual, spec.unit)} passes the fail level ${formatValue(spec.fail, spec.unit)} but not the warn level ${formatValue(spec.warn, spec.unit)}${ctx}`;
  } else {
    status = 'pass';
    message = `${spec.name} ${formatValue(spec.actual, spec.unit)} is ${WORDS[spec.op]} ${formatValue(spec.fail, spec.unit)}${ctx}`;
  }
  return {
    name: spec.name,
    metric: spec.metric,
    op: spec.op,
    limit: spec.fail,
    ...(spec.warn !== undefined ? { warn: spec.warn } : {}),
    actual: spec.actual,
    n: spec.n,
    ...(spec.unit ? { unit: spec.unit } : {}),
    status,
    message,
    ...(spec.source ? { source: spec.source } : {}),
  };
}
