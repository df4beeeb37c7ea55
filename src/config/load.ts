/**
 * Load and validate models.yaml before any request is sent. Every problem found (YAML syntax,
 * schema, cross-field rules, threshold expressions) is reported at once, each with file, line,
 * column, field, expectation and a hint, as a single ConfigError.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, displayPath, formatPath, type ConfigIssue } from './errors.ts';
import { SourceLocator } from './locate.ts';
import { mergeDeep, modelsFileSchema, normaliseEntry, type ModelsConfig, type ParsedModelEntry } from './models.ts';
import { collectThresholds } from './thresholds.ts';
import { crossCheck, windowIssue, type PathIssue } from './validate.ts';
import { fromZodIssues } from './zod-issues.ts';

/** Fields that `defaults:` never fills (identity, comparisons, and blocks with their own top-level form). */
const PER_MODEL_ONLY = new Set(['name', 'hf_repo', 'served_model_name', 'baseline', 'benchmarks', 'thresholds']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Read, parse and validate a models file.
 * @param path models file. @default 'models.yaml' (relative to the working directory)
 * @throws ConfigError with every problem found.
 */
export function loadModelsConfig(path = 'models.yaml'): ModelsConfig {
  const file = displayPath(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError({
      code: code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      file,
      field: '',
      problem: code === 'ENOENT' ? `file not found (looked at ${resolve(path)})` : `cannot read the file (${code ?? String(err)})`,
      hint: 'run from the project root, or point BENCH_MODELS_FILE at your models file',
    });
  }
  return parseModelsConfig(text, file);
}

/** Validate models.yaml text; `file` is the name used in messages and threshold sources. */
export function parseModelsConfig(text: string, file = 'models.yaml'): ModelsConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const loc = new SourceLocator(doc, lineCounter);

  if (doc.errors.length) {
    throw new ConfigError(
      doc.errors.map((e): ConfigIssue => {
        const p = loc.offsetToPosition(e.pos[0]);
        const duplicate = e.code === 'DUPLICATE_KEY';
        return {
          code: 'YAML_SYNTAX',
          file,
          line: p.line,
          column: p.column,
          field: '',
          problem: duplicate ? 'duplicate key in the same mapping' : `YAML syntax error: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
          hint: duplicate ? 'remove or rename one of the two keys' : 'check indentation (spaces, not tabs), quotes and colons on this line',
        };
      }),
    );
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (raw === null || raw === undefined) {
    throw new ConfigError({ code: 'EMPTY_FILE', file, line: 1, column: 1, field: '', problem: 'the file is empty', expected: 'a mapping with a models: list', hint: 'see the shipped models.yaml for an example' });
  }

  const locate = (issues: PathIssue[]): ConfigIssue[] => issues.map((i) => toConfigIssue(i, file, loc));

  // `defaults:` is merged under each entry before validation, so a default is validated where it is used.
  const merged = isPlainObject(raw) ? { ...raw } : raw;
  if (isPlainObject(merged) && isPlainObject(merged.defaults) && Array.isArray(merged.models)) {
    const defaults = Object.fromEntries(Object.entries(merged.defaults).filter(([k]) => !PER_MODEL_ONLY.has(k)));
    merged.models = merged.models.map((m: unknown) => (isPlainObject(m) ? mergeDeep(defaults, m) : m));
  }
  const parsed = modelsFileSchema.safeParse(merged);
  if (!parsed.success) {
    const issues = fromZodIssues(parsed.error.issues, merged, modelsFileSchema as never).map((i) => fromDefaults(i, loc));
    throw new ConfigError(sortIssues(dedupe(locate(issues))));
  }

  const data = parsed.data;
  const entries = data.models as ParsedModelEntry[];
  const problems: PathIssue[] = crossCheck(entries);
  problems.push(...stabilityWindows(data.benchmarks, entries));

  const config: ModelsConfig = {
    file,
    models: entries.map(normaliseEntry),
    ...(data.benchmarks ? { benchmarks: data.benchmarks } : {}),
    ...(data.thresholds ? { thresholds: data.thresholds } : {}),
  };
  // Thresholds are parsed for every model now, so a bad expression fails before any request.
  if (!problems.some((p) => p.code === 'DUPLICATE_MODEL')) {
    for (const m of config.models) {
      for (const t of collectThresholds(config, m.name).issues) {
        problems.push({ path: t.path, code: t.code, problem: t.problem, ...pick(t) });
      }
    }
  }
  if (problems.length) throw new ConfigError(sortIssues(dedupe(locate(problems.map((i) => fromDefaults(i, loc))))));
  return config;
}

function pick(t: { expected?: string; received?: string; hint?: string }): Pick<PathIssue, 'expected' | 'received' | 'hint'> {
  return {
    ...(t.expected !== undefined ? { expected: t.expected } : {}),
    ...(t.received !== undefined ? { received: t.received } : {}),
    ...(t.hint !== undefined ? { hint: t.hint } : {}),
  };
}

/** A problem inside models[i] whose field came from `defaults:` is reported at the default. */
function fromDefaults(issue: PathIssue, loc: SourceLocator): PathIssue {
  const [head, index, ...rest] = issue.path;
  if (head !== 'models' || typeof index !== 'number' || rest.length === 0) return issue;
  if (loc.has(issue.path)) return issue;
  // An unknown key path exists at its parent; a missing field has no node at all: both stay on the entry.
  const inDefaults = ['defaults', ...rest];
  if (!loc.has(inDefaults)) return issue;
  return { ...issue, path: inDefaults, hint: [issue.hint, `set in defaults: and applied to models[${index}]`].filter(Boolean).join('; ') };
}

function stabilityWindows(global: { stability?: { duration_s?: number; window_s?: number } } | undefined, entries: readonly ParsedModelEntry[]): PathIssue[] {
  const out: PathIssue[] = [];
  const g = global?.stability;
  if (g?.duration_s !== undefined && g.window_s !== undefined && g.window_s * 2 > g.duration_s) {
    out.push(windowIssue(['benchmarks', 'stability', 'window_s'], g.window_s, g.duration_s));
  }
  entries.forEach((m, i) => {
    const own = m.benchmarks?.stability;
    if (!own || (own.duration_s !== undefined && own.window_s !== undefined)) return; // both own: crossCheck judged it
    const duration = own.duration_s ?? g?.duration_s;
    const window = own.window_s ?? g?.window_s;
    if (duration !== undefined && window !== undefined && window * 2 > duration) {
      const path = own.window_s !== undefined ? ['models', i, 'benchmarks', 'stability', 'window_s'] : ['models', i, 'benchmarks', 'stability', 'duration_s'];
      out.push(windowIssue(path, window, duration));
    }
  });
  return out;
}

function toConfigIssue(i: PathIssue, file: string, loc: SourceLocator): ConfigIssue {
  const isKey = i.code === 'UNKNOWN_KEY' || i.code === 'UNKNOWN_METRIC';
  const pos = loc.locate(i.path, isKey);
  let hint = i.hint;
  if (i.related) {
    const r = loc.locate(i.related);
    if (r) hint = `${hint ?? ''}${hint ? ' ' : ''}(see line ${r.line})`;
  }
  return {
    code: i.code,
    file,
    ...(pos ? { line: pos.line, column: pos.column } : {}),
    field: formatPath(i.path),
    problem: i.problem,
    ...(i.expected !== undefined ? { expected: i.expected } : {}),
    ...(i.received !== undefined ? { received: i.received } : {}),
    ...(hint ? { hint } : {}),
  };
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.line}:${i.column}:${i.field}:${i.problem}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
}
