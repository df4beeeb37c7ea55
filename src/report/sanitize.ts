/**
 * Everything that keeps untrusted or secret text out of reports: model answers and server
 * messages are escaped per output format, base URLs lose credentials, and any API key value that
 * slipped into a string is scrubbed before a byte reaches disk or the console.
 */

/** Drops userinfo, query and fragment: the parts of a URL where people put tokens. */
export function stripUrlSecrets(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    // Not a URL we can parse: keep only what precedes any '?' or '#', without userinfo.
    return raw.replace(/[?#].*$/, '').replace(/\/\/[^/@]*@/, '//');
  }
}

/** Escapes the five HTML-significant characters, for text and attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Escapes Markdown (CommonMark + GFM) so any text renders literally, inside a paragraph or a
 * table cell: no emphasis, code, links or images (their brackets are escaped, so `(` after them
 * is harmless), no raw HTML (`<`, `>`, `&` become entities: GitHub passes HTML through and a
 * backslash does not stop a tag), no cell breaks (`|`), no line-start blocks (headings, lists,
 * quotes). Newlines become spaces because a cell must stay on one line.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n|\r/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    // Line-start block markers only count when followed by a space (or are rules/underlines);
    // "-0.05" or "0.75" at the start of a cell must stay as they are.
    .replace(/^(\s*)(#{1,6}(?=\s|$)|[+-](?=\s|$)|-{2,}|=+)/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])(?=\s|$)/, '$1\\$2');
}

/** Minimum length for a value to count as a secret: scrubbing "1" would mangle every number. */
const MIN_SECRET_LENGTH = 6;

/**
 * Values of the environment variables named as API key holders. Reading them is the only way to
 * make sure they never appear in output; they are used for nothing else.
 */
export function secretValues(envNames: Iterable<string>, env: NodeJS.ProcessEnv = process.env): string[] {
  const out = new Set<string>();
  for (const name of envNames) {
    const v = env[name];
    if (v && v.length >= MIN_SECRET_LENGTH) out.add(v);
  }
  // Longest first, so a key that contains another key is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}

/** Plain word: no Markdown or HTML meaning, so it survives both renderers unchanged. */
export const REDACTED = 'REDACTED';

export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * Scrubs every string inside a JSON-like value. Needed before rendering as well as after: a key
 * containing `_` or `<` no longer matches itself once the Markdown or HTML escaper has run.
 */
export function scrubDeep<T>(value: T, secrets: readonly string[]): T {
  if (!secrets.length) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrubSecrets(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [scrubSecrets(k, secrets), walk(x)]));
    return v;
  };
  return walk(value) as T;
}
