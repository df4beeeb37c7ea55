/**
 * Keeps API keys out of everything the client writes: error messages, records, logs. The client
 * registers every key it reads from the environment, and every message it produces passes
 * through `redactSecrets`, so even a server that echoes the Authorization header back cannot leak
 * the key into a report.
 */

const known = new Set<string>();

/** Shortest value treated as a secret: shorter strings would redact ordinary words. */
const MIN_SECRET_LENGTH = 6;

/** Remembers a secret value so `redactSecrets` removes it wherever it appears. */
export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SECRET_LENGTH) known.add(value);
}

const BEARER = /(bearer\s+)[^\s"',;]+/gi;
// Common key shapes (OpenAI `sk-...`, Hugging Face `hf_...`) even when never registered.
const KEY_SHAPES = /\b(?:sk-[A-Za-z0-9_-]{8,}|hf_[A-Za-z0-9]{8,})/g;

/** Returns `text` with registered secrets, bearer tokens and API-key-shaped strings replaced by `[REDACTED]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const s of known) {
    if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  }
  return out.replace(BEARER, '$1[REDACTED]').replace(KEY_SHAPES, '[REDACTED]');
}
