/**
 * Configuration errors. Every problem in models.yaml (or a threshold from the golden set) becomes a
 * `ConfigIssue` that names the file, the line and column, the field path, what was expected, what
 * was found and how to fix it; a `ConfigError` carries one or more issues and a stable `code`, so
 * callers (the global setup, the CLI, tests) can tell "invalid config" apart from "benchmark failed".
 */
import { isAbsolute, relative } from 'node:path';

/** Stable codes: tests and callers match on these, never on message text. */
export type ConfigErrorCode =
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'YAML_SYNTAX'
  | 'EMPTY_FILE'
  | 'UNKNOWN_KEY'
  | 'INVALID_TYPE'
  | 'INVALID_VALUE'
  | 'MISSING_FIELD'
  | 'DUPLICATE_MODEL'
  | 'UNKNOWN_BASELINE'
  | 'SELF_BASELINE'
  | 'MISSING_ENDPOINT'
  | 'INVALID_URL'
  | 'MISSING_SIM_BLOCK'
  | 'INVALID_THRESHOLD'
  | 'UNKNOWN_METRIC'
  | 'DUPLICATE_THRESHOLD';

/** One problem at one place. `line`/`column` are 1-based and absent when the place has no source text. */
export interface ConfigIssue {
  code: ConfigErrorCode;
  /** The file as the user named it (relative to the working directory when possible). */
  file: string;
  line?: number;
  column?: number;
  /** Path of the offending field, e.g. `models[2].max_model_len`; empty for the whole file. */
  field: string;
  /** What is wrong, in a few words: `unknown key`, `must be an integer`. */
  problem: string;
  /** What would be accepted, e.g. `one of "chat", "completions"`. */
  expected?: string;
  /** What was found, already shortened and quoted; absent for secrets. */
  received?: string;
  /** How to fix it, e.g. `did you mean "max_model_len"?`. */
  hint?: string;
}

/** Thrown before any request is sent when configuration is invalid. `issues[0]` is the first problem found. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly field: string;
  readonly expected: string | undefined;
  readonly received: string | undefined;
  readonly hint: string | undefined;
  /** Every problem found, in file order (the first one is also spread onto this error). */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue | readonly ConfigIssue[]) {
    const list = Array.isArray(issues) ? (issues as readonly ConfigIssue[]) : [issues as ConfigIssue];
    const first = list[0];
    if (!first) throw new TypeError('ConfigError needs at least one issue');
    const more = list.length > 1 ? ` (and ${list.length - 1} more problem${list.length > 2 ? 's' : ''})` : '';
    super(issueMessage(first) + more);
    this.code = first.code;
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.field = first.field;
    this.expected = first.expected;
    this.received = first.received;
    this.hint = first.hint;
    this.issues = list;
  }
}

/** `models.yaml:14:5` (or just `models.yaml` when the place has no source position). */
export function issueLocation(issue: Pick<ConfigIssue, 'file' | 'line' | 'column'>): string {
  if (issue.line === undefined) return issue.file;
  return `${issue.file}:${issue.line}:${issue.column ?? 1}`;
}

/**
 * One line per issue: `models.yaml:14:5 models[2].max_modle_len: unknown key; did you mean "max_model_len"?`
 */
export function issueMessage(issue: ConfigIssue): string {
  const field = issue.field ? ` ${issue.field}:` : '';
  let text = `${issueLocation(issue)}${field} ${issue.problem}`;
  if (issue.expected !== undefined) text += `; expected ${issue.expected}`;
  if (issue.received !== undefined) text += `, got ${issue.received}`;
  if (issue.hint) text += `; ${issue.hint}`;
  return text;
}

/** Printable report of every issue, with its code, for terminals and CI logs. */
export function formatConfigError(err: ConfigError): string {
  const n = err.issues.length;
  const head = `Invalid configuration (${n} problem${n === 1 ? '' : 's'}, nothing was sent to any server):`;
  const lines = err.issues.map((i) => `  ${issueMessage(i)} [${i.code}]`);
  return [head, ...lines].join('\n');
}

/** A path as the user typed it when relative; absolute paths under the working directory are shortened. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** `models[2].price.currency` from `['models', 2, 'price', 'currency']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      out += /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s) ? (out ? `.${s}` : s) : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

/** A value as shown in messages: quoted, type-named and cut to 60 characters. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `a list (${value.length} item${value.length === 1 ? '' : 's'})`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const s = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(s);
  }
  return `${typeof value} ${String(value)}`;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/**
 * The closest candidate, when it is close enough to be a plausible typo: at most a third of the
 * longer name's length (min 2 edits), case-insensitively.
 */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(Math.max(name.length, best.length) / 3));
  return bestD <= limit ? best : undefined;
}

/** `did you mean "x"?` or the list of valid names when nothing is close. */
export function suggestion(name: string, candidates: readonly string[], what = 'valid keys'): string {
  const near = nearest(name, candidates);
  if (near) return `did you mean "${near}"?`;
  const shown = candidates.slice(0, 12).join(', ');
  return `${what}: ${shown}${candidates.length > 12 ? ', ...' : ''}`;
}
