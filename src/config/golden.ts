/**
 * Golden sets: the cases the accuracy dimension asks and the thresholds it judges them by.
 *
 * The older tool's `golden/expectations.json` loads as is (its `_comment` keys are ignored, its
 * missing thresholds take its own defaults). Extensions, all optional: set-level `name`,
 * `system_prompt`, `instructions`, `temperature`, `seed`, `trials`, `max_tokens`, `json_schema`,
 * `answer_format`, `categories`, `fixtures_dir`, `case_files` (JSONL, one case per line); per case
 * `prompt`, `image_url`, `{ value, synonyms }` items, `expected_numbers`, `judge`.
 *
 * Everything is checked before any request is sent; each problem names the file, the line, the
 * field and a fix (ConfigError from errors.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument, isNode } from 'yaml';
import { z } from 'zod';
import { ConfigError, displayPath, describeValue, formatPath, suggestion, type ConfigIssue } from './errors.ts';
import { parseNumberItem } from '../scoring/numbers.ts';
import { compileSchema } from '../scoring/json.ts';
import { REGRESSION_DEFAULTS } from './vocabulary.ts';

/** The older tool's fixed prompt (translated), used when a set gives no `instructions`. */
export const LEGACY_INSTRUCTIONS =
  'Analyse the image and answer strictly as JSON, with nothing else:\n' +
  '{"category": "<one of: {categories}>", "subcategory": "<a finer label>", ' +
  '"description": "<one sentence>", "key_entities": ["<people, amounts, dates, account numbers>"], ' +
  '"key_facts": ["<2 to 5 key facts>"]}';

/** The older tool's category list, the labels legacy sets are read against. */
export const LEGACY_CATEGORIES = ['communication', 'financial', 'contract', 'identity', 'legal_document', 'receipt', 'other'];

/** The older tool's acceptance defaults (what it used when a key was missing). */
export const DEFAULT_ACCEPTANCE = {
  category_precision_min: 0.8,
  entity_recall_min: 0.6,
  fact_recall_min: 0.5,
  must_not_say_violation_max: 0,
  output_token_truncation_rate_max: 0.1,
  p95_latency_ms_max_per_image: 20000,
  error_rate_max: 0.05,
} as const;


const fraction = z.number().min(0).max(1);
const nonNeg = z.number().min(0);
const range = z
  .tuple([nonNeg, nonNeg])
  .refine(([a, b]) => a <= b, { message: 'the minimum is above the maximum; write [min, max]' });

const itemSchema = z.union([
  z.string().min(1, 'is empty'),
  z.strictObject({ value: z.string().min(1, 'is empty'), synonyms: z.array(z.string().min(1, 'is empty')).default([]) }),
]);

const caseSchema = z.strictObject({
  id: z.string().min(1, 'is empty'),
  image: z.string().min(1).optional(),
  image_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  prompt: z.string().min(1).optional(),
  description: z.string().optional(),
  expected_category: z.string().min(1).optional(),
  expected_subcategory: z.string().optional(),
  expected_difficulty: z.string().optional(),
  must_identify_entities: z.array(itemSchema).default([]),
  must_identify_facts: z.array(itemSchema).default([]),
  must_not_say: z.array(z.string().min(1, 'is empty')).default([]),
  expected_numbers: z.array(z.string().min(1, 'is empty')).default([]),
  judge: z.boolean().default(false),
  token_budget: z.strictObject({ input: range.optional(), output: range.optional() }).optional(),
});

const acceptanceSchema = z.strictObject({
  category_precision_min: fraction.default(DEFAULT_ACCEPTANCE.category_precision_min),
  entity_recall_min: fraction.default(DEFAULT_ACCEPTANCE.entity_recall_min),
  fact_recall_min: fraction.default(DEFAULT_ACCEPTANCE.fact_recall_min),
  must_not_say_violation_max: z.int().min(0).default(DEFAULT_ACCEPTANCE.must_not_say_violation_max),
  output_token_truncation_rate_max: fraction.default(DEFAULT_ACCEPTANCE.output_token_truncation_rate_max),
  p95_latency_ms_max_per_image: z.number().positive().default(DEFAULT_ACCEPTANCE.p95_latency_ms_max_per_image),
  error_rate_max: fraction.default(DEFAULT_ACCEPTANCE.error_rate_max),
  /** Extension: minimum share of answers that are valid JSON (and match json_schema). */
  json_valid_rate_min: fraction.optional(),
  /** Extension: minimum share of expected numbers found. */
  number_recall_min: fraction.optional(),
});

const regressionSchema = z.strictObject({
  category_precision_drop_max: fraction.default(REGRESSION_DEFAULTS.category_precision_drop_max),
  entity_recall_drop_max: fraction.default(REGRESSION_DEFAULTS.entity_recall_drop_max),
  fact_recall_drop_max: fraction.default(REGRESSION_DEFAULTS.fact_recall_drop_max),
  p95_latency_ratio_max: z.number().positive().default(REGRESSION_DEFAULTS.p95_latency_ratio_max),
  must_not_say_delta_max: z.int().min(0).default(REGRESSION_DEFAULTS.must_not_say_delta_max),
});

const setSchema = z.strictObject({
  name: z.string().min(1).optional(),
  system_prompt: z.string().optional(),
  instructions: z.string().optional(),
  /** @default 0 (greedy: accuracy runs must be repeatable) */
  temperature: z.number().min(0).max(2).default(0),
  seed: z.int().optional(),
  /** @default 1 */
  trials: z.int().min(1).max(100).default(1),
  max_tokens: z.int().min(1).optional(),
  json_schema: z.record(z.string(), z.unknown()).optional(),
  answer_format: z.enum(['json', 'text']).optional(),
  categories: z.array(z.string().min(1)).min(1).optional(),
  fixtures_dir: z.string().min(1).optional(),
  case_files: z.array(z.string().min(1)).default([]),
  cases: z.array(z.unknown()).default([]),
  acceptance_criteria: acceptanceSchema.default(acceptanceSchema.parse({})),
  regression_thresholds: regressionSchema.default(regressionSchema.parse({})),
});

/** An entity or fact: its canonical value and accepted alternatives. */
export interface GoldenItem {
  value: string;
  synonyms: string[];
}

export type AcceptanceCriteria = z.output<typeof acceptanceSchema>;
export type RegressionThresholds = z.output<typeof regressionSchema>;

export interface GoldenCase {
  id: string;
  modality: 'text' | 'image';
  /** Text cases: the question. Image cases: the question about the image, when given. */
  prompt?: string;
  /** The older tool's note about the image; sent as the question only when the set has `instructions`. */
  description?: string;
  /** Absolute path of the image file (image cases given `image`). */
  image?: string;
  /** http(s) URL of the image (image cases given `image_url`). */
  image_url?: string;
  expected_category?: string;
  expected_subcategory?: string;
  expected_difficulty?: string;
  must_identify_entities: GoldenItem[];
  must_identify_facts: GoldenItem[];
  must_not_say: string[];
  expected_numbers: string[];
  /** Facts are free-form: ask the judge model about them (when one is configured). */
  judge: boolean;
  token_budget?: { input?: [number, number]; output?: [number, number] };
  /** Where the case was declared, for messages: `golden/cases.jsonl:4`. */
  source: string;
  /** Set when the image file is missing and the loader was told to skip instead of failing. */
  skipReason?: string;
}

export interface GoldenSet {
  /** Absolute path of the golden file. */
  file: string;
  /** From `name`, else the file name. */
  name: string;
  system_prompt?: string;
  /** The instructions appended to every question; the older tool's prompt when the file gives none. */
  instructions: string;
  /** True when the file gave no `instructions` (an older-tool file): descriptions are notes, not questions. */
  legacy: boolean;
  temperature: number;
  seed?: number;
  trials: number;
  max_tokens?: number;
  json_schema?: Record<string, unknown>;
  /** `json` when a schema is given or the instructions ask for JSON; then invalid JSON is reported. */
  answer_format: 'json' | 'text';
  /** Allowed labels: `categories`, else (legacy) the older tool's list, plus every expected category. */
  categories: string[];
  fixtures_dir: string;
  cases: GoldenCase[];
  acceptance_criteria: AcceptanceCriteria;
  regression_thresholds: RegressionThresholds;
}

export interface LoadGoldenOptions {
  /**
   * What a missing image file does: `error` (default) stops before any request; `skip` marks the
   * case with `skipReason` so the report counts it, as the older tool did.
   * @default 'error'
   */
  missingImages?: 'error' | 'skip';
}

/** Drop `_comment`-style keys (the older format documents itself with them). */
function stripComments(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripComments);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('_')).map(([k, x]) => [k, stripComments(x)]));
  }
  return v;
}

/** 1-based line/column of a path in JSON text, best effort (JSON is YAML, and YAML nodes know their offsets). */
function locate(text: string, path: readonly PropertyKey[]): { line: number; column: number } | undefined {
  try {
    const doc = parseDocument(text, { uniqueKeys: false });
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as Array<string | number>, true);
      if (isNode(node) && node.range) return lineCol(text, node.range[0]);
    }
  } catch {
    // Positions are a courtesy; the message still names the field.
  }
  return undefined;
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function syntaxIssue(file: string, text: string, err: Error, lineOffset = 0): ConfigIssue {
  const pos = /position (\d+)/.exec(err.message);
  const at = pos ? lineCol(text, Number(pos[1])) : undefined;
  return {
    code: 'INVALID_VALUE',
    file,
    ...(at ? { line: at.line + lineOffset, column: at.column } : lineOffset ? { line: lineOffset + 1 } : {}),
    field: '',
    problem: `is not valid JSON (${err.message})`,
    hint: 'check for a missing comma or quote, or a trailing comma, near that position',
  };
}

function zodIssues(error: z.ZodError, file: string, text: string, prefix: PropertyKey[], lineOffset: number, value: unknown): ConfigIssue[] {
  return error.issues.map((iss): ConfigIssue => {
    const path = iss.path as PropertyKey[];
    const keyPath = iss.code === 'unrecognized_keys' ? [...path, iss.keys[0] ?? ''] : path;
    const at = locate(text, [...prefix, ...keyPath]);
    const where = at ? { line: at.line + lineOffset, column: at.column } : lineOffset ? { line: lineOffset + 1 } : {};
    const field = formatPath([...prefix, ...path]);
    if (iss.code === 'unrecognized_keys') {
      const key = iss.keys[0] ?? '';
      const known = knownKeys(path, prefix);
      return { code: 'UNKNOWN_KEY', file, ...where, field: formatPath([...prefix, ...path, key]), problem: 'unknown key', hint: suggestion(key, known) };
    }
    let received: unknown = value;
    for (const seg of path) received = received && typeof received === 'object' ? (received as Record<PropertyKey, unknown>)[seg] : undefined;
    return {
      code: received === undefined ? 'MISSING_FIELD' : 'INVALID_VALUE',
      file,
      ...where,
      field,
      problem: iss.message,
      received: describeValue(received),
      hint: hintFor(path),
    };
  });
}

function knownKeys(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): string[] {
  const last = path[path.length - 1];
  if (prefix.length || (path[0] === 'cases' && typeof path[1] === 'number' && path.length === 2)) return Object.keys(caseSchema.shape);
  if (last === 'acceptance_criteria') return Object.keys(acceptanceSchema.shape);
  if (last === 'regression_thresholds') return Object.keys(regressionSchema.shape);
  if (last === 'token_budget') return ['input', 'output'];
  return Object.keys(setSchema.shape);
}

function hintFor(path: readonly PropertyKey[]): string {
  const key = [...path].reverse().find((p) => typeof p === 'string');
  switch (key) {
    case 'input':
    case 'output':
      return 'write a token range as [min, max], e.g. [100, 900]';
    case 'must_identify_entities':
    case 'must_identify_facts':
      return 'write each item as a string or as {"value": "...", "synonyms": ["..."]}';
    case 'image_url':
      return 'use an http(s) URL, or `image` with a file under fixtures/';
    default:
      return 'see golden/README.md for the format';
  }
}

/** Nearest `fixtures/` folder at or above the golden file's folder (the older layout puts it beside golden/). */
function findFixturesDir(goldenDir: string): string {
  let dir = goldenDir;
  for (;;) {
    const candidate = join(dir, 'fixtures');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const up = dirname(dir);
    if (up === dir) return join(goldenDir, '..', 'fixtures');
    dir = up;
  }
}

interface RawCase {
  value: unknown;
  file: string;
  text: string;
  prefix: PropertyKey[];
  lineOffset: number;
  source: string;
}

function readText(file: string, shown: string, field: string, hint: string): string {
  if (!existsSync(file)) throw new ConfigError({ code: 'FILE_NOT_FOUND', file: shown, field, problem: `file not found (looked at ${file})`, hint });
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError({ code: 'FILE_UNREADABLE', file: shown, field, problem: `cannot be read: ${(err as Error).message}` });
  }
}

/** Load, validate and resolve a golden set. Throws ConfigError listing every problem found. */
export function loadGoldenSet(path: string, opts: LoadGoldenOptions = {}): GoldenSet {
  const file = resolve(path);
  const shown = displayPath(file);
  const text = readText(file, shown, '', 'pass the path of a golden expectations.json');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(syntaxIssue(shown, text, err as Error));
  }
  const clean = stripComments(json);
  const top = setSchema.safeParse(clean);
  if (!top.success) throw new ConfigError(zodIssues(top.error, shown, text, [], 0, clean));
  const set = top.data;
  const baseDir = dirname(file);
  const issues: ConfigIssue[] = [];

  const raws: RawCase[] = set.cases.map((value, i) => ({ value, file: shown, text, prefix: ['cases', i], lineOffset: 0, source: `${shown}#cases[${i}]` }));
  set.case_files.forEach((rel, fi) => {
    const caseFile = resolve(baseDir, rel);
    const caseShown = displayPath(caseFile);
    const body = readText(caseFile, shown, `case_files[${fi}]`, 'paths in case_files are relative to the golden file');
    body.split(/\r?\n/).forEach((line, li) => {
      if (!line.trim() || line.trim().startsWith('//')) return;
      try {
        raws.push({ value: JSON.parse(line), file: caseShown, text: line, prefix: [], lineOffset: li, source: `${caseShown}:${li + 1}` });
      } catch (err) {
        issues.push({ ...syntaxIssue(caseShown, line, err as Error, li), hint: 'a JSONL case file holds one JSON object per line' });
      }
    });
  });

  const fixturesDir = set.fixtures_dir ? resolve(baseDir, set.fixtures_dir) : findFixturesDir(baseDir);
  const cases: GoldenCase[] = [];
  const seen = new Map<string, string>();
  for (const raw of raws) {
    const value = stripComments(raw.value);
    const parsed = caseSchema.safeParse(value);
    const caseIssue = (field: PropertyKey[], problem: string, hint: string, code: ConfigIssue['code'] = 'INVALID_VALUE', received?: unknown): void => {
      const at = locate(raw.text, [...raw.prefix, ...field]);
      issues.push({
        code,
        file: raw.file,
        ...(at ? { line: at.line + raw.lineOffset, column: at.column } : raw.lineOffset ? { line: raw.lineOffset + 1 } : {}),
        field: formatPath([...raw.prefix, ...field]),
        problem,
        ...(received !== undefined ? { received: describeValue(received) } : {}),
        hint,
      });
    };
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, raw.file, raw.text, raw.prefix, raw.lineOffset, value));
      continue;
    }
    const c = parsed.data;
    const prior = seen.get(c.id);
    if (prior) caseIssue(['id'], `duplicate case id (also at ${prior})`, 'give every case a unique id', 'INVALID_VALUE', c.id);
    seen.set(c.id, raw.source);
    if (c.image && c.image_url) caseIssue(['image_url'], 'a case has either `image` or `image_url`, not both', 'remove one of them');
    const modality = c.image || c.image_url ? 'image' : 'text';
    if (modality === 'text' && !c.prompt && !c.description) {
      caseIssue(['prompt'], 'a text case needs a question', 'add "prompt": "..." (or an `image` to make it an image case)', 'MISSING_FIELD');
    }
    c.expected_numbers.forEach((n, k) => {
      if (!parseNumberItem(n)) caseIssue(['expected_numbers', k], 'is not one number', 'write one number with an optional currency, e.g. "¥1,200" or "120 yuan"', 'INVALID_VALUE', n);
    });
    const items = (list: typeof c.must_identify_entities, field: string): GoldenItem[] =>
      list.map((it, k) => {
        const item = typeof it === 'string' ? { value: it, synonyms: [] } : { value: it.value, synonyms: it.synonyms };
        if (![item.value, ...item.synonyms].every((s) => /[\p{L}\p{N}]/u.test(s))) {
          caseIssue([field, k], 'has no letter or digit to match', 'write the entity or fact as words or numbers', 'INVALID_VALUE', item.value);
        }
        return item;
      });
    const entities = items(c.must_identify_entities, 'must_identify_entities');
    const facts = items(c.must_identify_facts, 'must_identify_facts');
    c.must_not_say.forEach((s, k) => {
      if (!/[\p{L}\p{N}]/u.test(s)) caseIssue(['must_not_say', k], 'has no letter or digit to match', 'write the forbidden words or number', 'INVALID_VALUE', s);
    });
    if (set.categories && c.expected_category && !set.categories.includes(c.expected_category)) {
      caseIssue(['expected_category'], 'is not one of the set\'s categories', suggestion(c.expected_category, set.categories, 'categories'), 'INVALID_VALUE', c.expected_category);
    }
    let image: string | undefined;
    let skipReason: string | undefined;
    if (c.image) {
      image = isAbsolute(c.image) ? c.image : resolve(fixturesDir, c.image);
      if (!existsSync(image)) {
        if (opts.missingImages === 'skip') skipReason = `image ${displayPath(image)} not found`;
        else caseIssue(['image'], `image file not found (looked at ${image})`, `put the image in ${displayPath(fixturesDir)}, set "fixtures_dir", or load with missingImages: 'skip'`, 'FILE_NOT_FOUND', c.image);
      }
    }
    cases.push({
      id: c.id,
      modality,
      ...(c.prompt !== undefined ? { prompt: c.prompt } : {}),
      ...(c.description !== undefined ? { description: c.description } : {}),
      ...(image ? { image } : {}),
      ...(c.image_url ? { image_url: c.image_url } : {}),
      ...(c.expected_category !== undefined ? { expected_category: c.expected_category } : {}),
      ...(c.expected_subcategory !== undefined ? { expected_subcategory: c.expected_subcategory } : {}),
      ...(c.expected_difficulty !== undefined ? { expected_difficulty: c.expected_difficulty } : {}),
      must_identify_entities: entities,
      must_identify_facts: facts,
      must_not_say: c.must_not_say,
      expected_numbers: c.expected_numbers,
      judge: c.judge,
      ...(c.token_budget ? { token_budget: c.token_budget as GoldenCase['token_budget'] & object } : {}),
      source: raw.source,
      ...(skipReason ? { skipReason } : {}),
    });
  }
  if (set.json_schema) {
    try {
      compileSchema(set.json_schema);
    } catch (err) {
      const at = locate(text, ['json_schema']);
      issues.push({ code: 'INVALID_VALUE', file: shown, ...(at ?? {}), field: 'json_schema', problem: `is not a usable JSON Schema: ${(err as Error).message}`, hint: 'validate it at https://www.jsonschemavalidator.net or remove it' });
    }
  }
  if (raws.length === 0) issues.push({ code: 'MISSING_FIELD', file: shown, field: 'cases', problem: 'the golden set has no cases', hint: 'add "cases": [...] or "case_files": ["cases.jsonl"]' });
  if (issues.length) throw new ConfigError(issues);

  const legacy = set.instructions === undefined;
  const expected = cases.flatMap((c) => (c.expected_category ? [c.expected_category] : []));
  const base = set.categories ?? (legacy ? LEGACY_CATEGORIES : []);
  const categories = [...base];
  for (const e of expected) if (!categories.includes(e)) categories.push(e);
  const instructions = set.instructions ?? LEGACY_INSTRUCTIONS.replace('{categories}', categories.join(' | '));
  const answerFormat = set.answer_format ?? (set.json_schema || /\bjson\b/i.test(instructions) ? 'json' : 'text');
  return {
    file,
    name: set.name ?? shown,
    ...(set.system_prompt !== undefined ? { system_prompt: set.system_prompt } : {}),
    instructions,
    legacy,
    temperature: set.temperature,
    ...(set.seed !== undefined ? { seed: set.seed } : {}),
    trials: set.trials,
    ...(set.max_tokens !== undefined ? { max_tokens: set.max_tokens } : {}),
    ...(set.json_schema ? { json_schema: set.json_schema } : {}),
    answer_format: answerFormat,
    categories,
    fixtures_dir: fixturesDir,
    cases,
    acceptance_criteria: set.acceptance_criteria,
    regression_thresholds: set.regression_thresholds,
  };
}

/** Where a threshold was declared, for CheckResult.source: `golden/expectations.json#acceptance_criteria.entity_recall_min`. */
export function thresholdSource(set: GoldenSet, key: keyof AcceptanceCriteria | keyof RegressionThresholds): string {
  const block = key in REGRESSION_DEFAULTS ? 'regression_thresholds' : 'acceptance_criteria';
  return `${displayPath(set.file)}#${block}.${key}`;
}
