/**
 * Maps transport errors (undici and Node socket errors, by their stable `code`) and HTTP error
 * responses to the suite's typed failures.
 */
import type { RequestFailure } from './types.ts';
import { readError } from './chunk.ts';
import { clip, failure } from './record.ts';

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED', 'UND_ERR_CLOSED']);

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  if (e && typeof e.code === 'string') return e.code;
  if (e?.cause && typeof e.cause.code === 'string') return e.cause.code;
  return undefined;
}

/**
 * Classifies an error that ended a request. `where` names the request (method and URL) for the
 * message; `gotHeaders` tells a reset before the response from one during the body.
 */
export function transportFailure(err: unknown, where: string, gotHeaders: boolean, timeouts: { headerMs: number; stallMs: number }): RequestFailure {
  const code = codeOf(err);
  const msg = err instanceof Error ? err.message : String(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return failure('header_timeout', `${where}: no response headers within ${timeouts.headerMs} ms (headerTimeoutMs)`);
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return failure('stall_timeout', `${where}: no bytes for ${timeouts.stallMs} ms mid-response (stallTimeoutMs)`);
  }
  if (code !== undefined && CONNECT_CODES.has(code) && !gotHeaders) {
    return failure('connect', `${where}: could not connect (${code}: ${msg}); is the server running and the base URL right?`);
  }
  if (code !== undefined && (RESET_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))) {
    return failure('connection_reset', `${where}: the connection closed abruptly ${gotHeaders ? 'mid-response' : 'before the response headers'} (${code}: ${msg})`);
  }
  return failure(gotHeaders ? 'connection_reset' : 'connect', `${where}: ${code ? `${code}: ` : ''}${msg}`);
}

/**
 * `Retry-After` in seconds: delta-seconds, or an HTTP date converted relative to now. Undefined
 * when absent or unparsable.
 */
export function parseRetryAfter(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s.trim() === '') return undefined;
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const when = Date.parse(t);
  if (Number.isNaN(when)) return undefined;
  return Math.max(0, Math.round((when - Date.now()) / 1000));
}

/**
 * A non-2xx response: the server's own message when its body is an OpenAI/vLLM/llama-server error
 * object, else the start of the body. 401/403 name the API-key variable to check.
 */
export function httpFailure(status: number, body: string, retryAfter: string | string[] | undefined, where: string, apiKeyEnv: string | undefined): RequestFailure {
  let message: string;
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(body);
  } catch {
    // not JSON: use the raw text below
  }
  const e = readError(parsed);
  if (e !== null) message = e.type && !e.message.includes(e.type) ? `${e.message} [${e.type}]` : e.message;
  else message = body.trim().length > 0 ? clip(body.trim()) : '(empty body)';
  let hint = '';
  if (status === 401 || status === 403) {
    hint = apiKeyEnv
      ? process.env[apiKeyEnv] === undefined
        ? ` (environment variable ${apiKeyEnv} is not set)`
        : ` (check the key in environment variable ${apiKeyEnv})`
      : ' (the endpoint needs an API key: set api_key_env in models.yaml)';
  }
  const retryAfterS = parseRetryAfter(retryAfter);
  return failure('http', `${where}: HTTP ${status}: ${message}${hint}`, retryAfterS !== undefined ? { status, retryAfterS } : { status });
}
