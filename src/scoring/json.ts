/**
 * JSON answers, read tolerantly: models wrap JSON in code fences, put a sentence before or after
 * it, or leave a trailing comma. Extraction tries, in order: the whole answer; each fenced block;
 * each balanced `{...}` / `[...]` in the text (strings and escapes respected). A trailing-comma
 * repair is tried last and makes the answer readable for scoring but not valid JSON.
 *
 * Validation against a golden set's `json_schema` uses Ajv (JSON Schema draft-07 and 2019/2020
 * keywords that Ajv's default build supports; `format` keywords are ignored, not rejected).
 */
import AjvModule from 'ajv';

export interface JsonExtraction {
  /** Parsed value; undefined when nothing could be parsed (score the raw text then). */
  value: unknown;
  /** Strictly valid JSON was found (possibly inside prose or a fence). */
  parsed: boolean;
  /** Where it came from. */
  via?: 'whole' | 'fence' | 'embedded' | 'repaired';
  /** The answer text outside the JSON (prose around it); the whole answer when nothing parsed. */
  prose: string;
  /** Why the answer is not valid JSON, when it is not. */
  error?: string;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

const isContainer = (v: unknown): boolean => typeof v === 'object' && v !== null;

/** End index (exclusive) of the balanced object/array starting at `start`, or -1. */
function balancedEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') stack.push(ch === '{' ? '}' : ']');
    else if (ch === '}' || ch === ']') {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

const removeTrailingCommas = (s: string): string => s.replace(/,(\s*[}\]])/g, '$1');

/** Find the JSON in an answer. Never throws. */
export function extractJson(answer: string): JsonExtraction {
  const trimmed = answer.trim();
  const whole = tryParse(trimmed);
  if (whole.ok && isContainer(whole.value)) return { value: whole.value, parsed: true, via: 'whole', prose: '' };
  let firstError = whole.ok ? 'the answer is a bare JSON scalar, not an object or array' : whole.error;

  const fence = /```[ \t]*(?:json|JSON|jsonc)?[ \t]*\r?\n?([\s\S]*?)```/g;
  let m: RegExpExecArray | null;
  while ((m = fence.exec(answer))) {
    const r = tryParse(m[1]!.trim());
    if (r.ok && isContainer(r.value)) {
      return { value: r.value, parsed: true, via: 'fence', prose: answer.slice(0, m.index) + ' ' + answer.slice(m.index + m[0].length) };
    }
  }

  const candidates: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < answer.length; i++) {
    const ch = answer[i];
    if (ch !== '{' && ch !== '[') continue;
    const end = balancedEnd(answer, i);
    if (end < 0) continue;
    candidates.push({ start: i, end });
    const r = tryParse(answer.slice(i, end));
    if (r.ok) return { value: r.value, parsed: true, via: 'embedded', prose: answer.slice(0, i) + ' ' + answer.slice(end) };
    firstError = `the JSON starting at character ${i} does not parse: ${r.error}`;
  }
  for (const c of candidates) {
    const r = tryParse(removeTrailingCommas(answer.slice(c.start, c.end)));
    if (r.ok) {
      return {
        value: r.value,
        parsed: false,
        via: 'repaired',
        prose: answer.slice(0, c.start) + ' ' + answer.slice(c.end),
        error: 'not valid JSON (a trailing comma); scored from a repaired copy',
      };
    }
  }
  if (candidates.length === 0 && !/[{[]/.test(answer)) firstError = 'no JSON object or array in the answer';
  return { value: undefined, parsed: false, prose: answer, error: firstError };
}

/** Every string, number and boolean inside a JSON value, keys excluded, in document order. */
export function jsonLeafValues(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number' || typeof v === 'bigint') out.push(String(v));
    else if (typeof v === 'boolean') out.push(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

// ajv is CommonJS: under NodeNext its default import is the module object, whose `default` is the class.
const Ajv = AjvModule.default;
type Validator = ReturnType<InstanceType<typeof Ajv>['compile']>;
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const compiled = new WeakMap<object, Validator>();

/** Compile a schema once (throws with Ajv's message when the schema itself is invalid). */
export function compileSchema(schema: Record<string, unknown>): Validator {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

export interface JsonVerdict {
  valid: boolean;
  error?: string;
}

/** Whether an extraction is valid JSON and, when a schema is given, satisfies it. */
export function judgeJson(extraction: JsonExtraction, schema?: Record<string, unknown>): JsonVerdict {
  if (!extraction.parsed) return { valid: false, error: extraction.error ?? 'not valid JSON' };
  if (!schema) return { valid: true };
  const validate = compileSchema(schema);
  if (validate(extraction.value)) return { valid: true };
  const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
  return { valid: false, error: `does not match the golden set's json_schema: ${errors.join('; ')}` };
}
