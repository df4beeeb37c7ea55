/**
 * Turns zod issues into path-located problems with plain-language expectations, a printable
 * "got" and, for unknown keys, the nearest valid key (found by walking the schema at that path).
 */
import type { z } from 'zod';
import { describeValue, suggestion, nearest } from './errors.ts';
import type { PathIssue } from './validate.ts';

type Issue = z.core.$ZodIssue;

/** Fields whose values are never echoed, because they may hold a secret. */
const SECRET_FIELDS = new Set(['api_key_env', 'headers', 'env']);

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function typeWord(t: string): string {
  return TYPE_WORDS[t] ?? t;
}

interface SchemaDef {
  type: string;
  innerType?: SchemaLike;
  in?: SchemaLike;
  shape?: Record<string, SchemaLike>;
  element?: SchemaLike;
  valueType?: SchemaLike;
  options?: SchemaLike[];
}
interface SchemaLike {
  _zod: { def: SchemaDef };
}

function unwrap(s: SchemaLike | undefined): SchemaLike | undefined {
  let cur = s;
  for (let i = 0; cur && i < 20; i++) {
    const d = cur._zod.def;
    if (d.innerType) cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else break;
  }
  return cur;
}

/** Every schema reachable at `path` (unions fan out). */
function schemasAt(schema: SchemaLike, path: readonly PropertyKey[]): SchemaLike[] {
  let current: SchemaLike[] = [schema];
  for (const seg of path) {
    const next: SchemaLike[] = [];
    for (const s of current) {
      for (const u of expandUnions(unwrap(s))) {
        const d = u._zod.def;
        if (d.type === 'object' && d.shape && typeof seg === 'string' && d.shape[seg]) next.push(d.shape[seg]);
        else if (d.type === 'array' && d.element && typeof seg === 'number') next.push(d.element);
        else if (d.type === 'record' && d.valueType) next.push(d.valueType);
      }
    }
    current = next;
  }
  return current.flatMap((s) => expandUnions(unwrap(s)));
}

function expandUnions(s: SchemaLike | undefined): SchemaLike[] {
  if (!s) return [];
  const d = s._zod.def;
  if (d.type === 'union' && d.options) return d.options.flatMap((o) => expandUnions(unwrap(o)));
  return [s];
}

/** Keys an object schema at `path` accepts. */
export function validKeysAt(schema: SchemaLike, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(schema, path)) {
    const d = s._zod.def;
    if (d.type === 'object' && d.shape) for (const k of Object.keys(d.shape)) keys.add(k);
  }
  return [...keys];
}

function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path.some((seg) => typeof seg === 'string' && SECRET_FIELDS.has(seg));
}

function received(root: unknown, path: readonly PropertyKey[]): string | undefined {
  if (isSecretPath(path)) return undefined;
  return describeValue(valueAt(root, path));
}

/** Convert zod issues (paths relative to `prefix`) into located problems. */
export function fromZodIssues(issues: readonly Issue[], root: unknown, schema: SchemaLike, prefix: readonly PropertyKey[] = []): PathIssue[] {
  const out: PathIssue[] = [];
  for (const issue of issues) out.push(...convert(issue, root, schema, prefix));
  return out;
}

function convert(issue: Issue, root: unknown, schema: SchemaLike, prefix: readonly PropertyKey[]): PathIssue[] {
  const rel = issue.path as PropertyKey[];
  const path = [...prefix, ...rel];
  const value = valueAt(root, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const valid = validKeysAt(schema, path);
      return issue.keys.map((key) => {
        const near = nearest(key, valid);
        return {
          path: [...path, key],
          code: 'UNKNOWN_KEY' as const,
          problem: 'unknown key',
          ...(near ? {} : { expected: `one of ${valid.join(', ')}` }),
          ...(near ? { hint: `did you mean "${near}"?` } : {}),
        };
      });
    }
    case 'invalid_type': {
      if (value === undefined) {
        return [{ path, code: 'MISSING_FIELD', problem: 'required field is missing', expected: typeWord(issue.expected) }];
      }
      return [{ path, code: 'INVALID_TYPE', problem: 'wrong type', expected: typeWord(issue.expected), ...withReceived(root, path) }];
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v));
      const hint = typeof value === 'string' ? suggestion(value, issue.values.map(String), 'valid values') : undefined;
      const near = typeof value === 'string' ? nearest(value, issue.values.map(String)) : undefined;
      return [
        {
          path,
          code: 'INVALID_VALUE',
          problem: 'invalid value',
          expected: options.length === 1 ? options[0]! : `one of ${options.join(', ')}`,
          ...withReceived(root, path),
          ...(near && hint ? { hint } : {}),
        },
      ];
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = Number(small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum);
      const inclusive = issue.inclusive !== false;
      let expected: string;
      if (issue.origin === 'array') expected = small ? `at least ${bound} item${bound === 1 ? '' : 's'}` : `at most ${bound} item${bound === 1 ? '' : 's'}`;
      else if (issue.origin === 'string') expected = small ? (bound === 1 ? 'a non-empty string' : `at least ${bound} characters`) : `at most ${bound} characters`;
      else expected = `a number ${small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<'} ${bound}`;
      return [{ path, code: 'INVALID_VALUE', problem: small ? 'too small' : 'too large', expected, ...withReceived(root, path) }];
    }
    case 'invalid_format':
      return [{ path, code: 'INVALID_VALUE', problem: issue.message, ...withReceived(root, path) }];
    case 'invalid_union': {
      // Follow the branch whose type matched (its problems are deeper inside the value).
      const matched = issue.errors.filter((branch) => !branch.some((e) => e.code === 'invalid_type' && e.path.length === 0));
      if (matched.length >= 1) {
        const best = [...matched].sort((a, b) => a.length - b.length)[0]!;
        return fromZodIssues(best, root, schema, path);
      }
      const expectedTypes = [...new Set(issue.errors.flatMap((b) => b.filter((e) => e.code === 'invalid_type' && e.path.length === 0).map((e) => typeWord((e as { expected: string }).expected))))];
      return [{ path, code: 'INVALID_TYPE', problem: 'wrong type', expected: expectedTypes.join(' or '), ...withReceived(root, path) }];
    }
    default:
      return [{ path, code: 'INVALID_VALUE', problem: issue.message, ...withReceived(root, path) }];
  }
}

function withReceived(root: unknown, path: readonly PropertyKey[]): { received?: string } {
  const r = received(root, path);
  return r === undefined ? {} : { received: r };
}
