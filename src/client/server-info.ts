/**
 * Questions the suite asks a server outside of generation: is it up (`/health`, `/v1/models`),
 * what does it serve and with what context (`/v1/models`), and what do its own counters say
 * (`/metrics`, Prometheus text). Each call has a deadline and resolves a result, never throws.
 */
import { request, type Dispatcher } from 'undici';
import { rootOf, targetOf } from './body.ts';
import { transportFailure } from './errors.ts';
import { clip } from './record.ts';
import { redactSecrets, registerSecret } from './redact.ts';
import type { Endpoint } from './types.ts';
import { helperDispatcher, viaUnixSocket as via } from './unix-socket.ts';

export interface ModelInfo {
  id: string;
  /** vLLM `max_model_len`, llama-server `meta.n_ctx`, else absent. */
  maxModelLen?: number;
  ownedBy?: string;
}

export type ListModelsResult = { ok: true; models: ModelInfo[] } | { ok: false; status?: number; message: string };

export interface HealthResult {
  ok: boolean;
  /** HTTP status of the last probe; 0 when no response came. */
  status: number;
  message: string;
  elapsedMs: number;
}

interface GetResult {
  status: number;
  body: string;
}

/** Most bytes read from a helper endpoint (a `/metrics` page is tens of kilobytes). */
const MAX_BODY = 8 * 1024 * 1024;

/** GET with a hard deadline covering connect, headers and body. Throws transport errors. */
async function get(url: string, deadlineMs: number, headers: Record<string, string> = {}, dispatcher?: Dispatcher): Promise<GetResult> {
  const ms = Math.max(1, Math.round(deadlineMs));
  const res = await request(url, { method: 'GET', headers, signal: AbortSignal.timeout(ms), headersTimeout: ms, bodyTimeout: ms, ...(dispatcher ? { dispatcher } : {}) });
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    if (n < MAX_BODY) {
      parts.push(chunk);
      n += chunk.length;
    }
  }
  return { status: res.statusCode, body: Buffer.concat(parts).toString('utf8') };
}

function describe(err: unknown, where: string, ms: number): string {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `${where}: no answer within ${Math.round(ms)} ms`;
  return transportFailure(err, where, false, { headerMs: ms, stallMs: ms }).message;
}

function authHeaders(endpoint: Pick<Endpoint, 'apiKeyEnv' | 'headers'>): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json', ...endpoint.headers };
  const key = endpoint.apiKeyEnv ? process.env[endpoint.apiKeyEnv] : undefined;
  if (key) {
    registerSecret(key);
    h.authorization = `Bearer ${key}`;
  }
  return h;
}

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : undefined;
}

/**
 * `GET {baseUrl}/models`: the served model ids with their context length where the server says
 * (vLLM `max_model_len`, llama-server `meta.n_ctx`).
 * @param deadlineMs @default 10000
 */
export async function listModels(endpoint: Pick<Endpoint, 'baseUrl' | 'apiKeyEnv' | 'headers' | 'unixSocket'>, deadlineMs = 10_000): Promise<ListModelsResult> {
  const requestUrl = `${endpoint.baseUrl.replace(/\/+$/, '')}/models`;
  // As shown in messages.
  const url = `${requestUrl}${via(endpoint)}`;
  let r: GetResult;
  try {
    targetOf(endpoint.baseUrl);
    r = await get(requestUrl, deadlineMs, authHeaders(endpoint), helperDispatcher(endpoint));
  } catch (e) {
    return { ok: false, message: redactSecrets(describe(e, `GET ${url}`, deadlineMs)) };
  }
  if (r.status < 200 || r.status >= 300) {
    return { ok: false, status: r.status, message: redactSecrets(`GET ${url}: HTTP ${r.status}: ${clip(r.body.trim()) || '(empty body)'}`) };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(r.body);
  } catch {
    return { ok: false, status: r.status, message: redactSecrets(`GET ${url}: the body is not JSON: ${clip(r.body)}`) };
  }
  const data = (doc as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    return { ok: false, status: r.status, message: redactSecrets(`GET ${url}: expected {"data": [...]} (OpenAI model list), got ${clip(r.body)}`) };
  }
  const models: ModelInfo[] = [];
  for (const m of data) {
    if (typeof m !== 'object' || m === null) continue;
    const o = m as Record<string, unknown>;
    if (typeof o.id !== 'string') continue;
    const meta = typeof o.meta === 'object' && o.meta !== null ? (o.meta as Record<string, unknown>) : {};
    const info: ModelInfo = { id: o.id };
    const len = num(o.max_model_len) ?? num(meta.n_ctx) ?? num(meta.n_ctx_train);
    if (len !== undefined) info.maxModelLen = len;
    if (typeof o.owned_by === 'string') info.ownedBy = o.owned_by;
    models.push(info);
  }
  return { ok: true, models };
}

/** Paths that are a readiness probe themselves rather than a base URL. */
const PROBE_PATH = /\/(health|healthz|ready|readyz|ping|models)$/;

/**
 * Is the server up? Given a readiness URL (path ending in /health, /healthz, /ready, /readyz,
 * /ping or /models), GETs it. Given a base URL, tries `GET {root}/health` (vLLM: 200 empty; llama-server: 200, or 503 while
 * loading), then, when the server has no such route, `GET {baseUrl}/models` (hosted APIs). Resolves
 * within `deadlineMs` whatever the server does; one attempt each, so the caller decides on retries.
 */
export async function checkHealth(baseUrl: string, deadlineMs: number, endpoint: Pick<Endpoint, 'apiKeyEnv' | 'headers' | 'unixSocket'> = {}): Promise<HealthResult> {
  const t0 = performance.now();
  const dispatcher = helperDispatcher(endpoint);
  const v = via(endpoint);
  const left = (): number => deadlineMs - (performance.now() - t0);
  const done = (ok: boolean, status: number, message: string): HealthResult => ({ ok, status, message: redactSecrets(message), elapsedMs: performance.now() - t0 });
  let healthUrl: string;
  try {
    const root = rootOf(baseUrl);
    healthUrl = `${root.origin}${root.basePath}/health`;
    // A readiness URL itself (models.yaml `launch.ready_url: http://host:8000/health`): probe it as is.
    if (PROBE_PATH.test(targetOf(baseUrl).basePath)) {
      const r = await get(baseUrl, left(), authHeaders(endpoint), dispatcher);
      return done(r.status >= 200 && r.status < 300, r.status, `GET ${baseUrl}${v}: HTTP ${r.status}${r.status === 503 ? ' (the server is still loading)' : ''}${r.status >= 300 ? `: ${clip(r.body.trim())}` : ''}`);
    }
  } catch (e) {
    return done(false, 0, e instanceof TypeError ? e.message : describe(e, `GET ${baseUrl}${v}`, deadlineMs));
  }
  try {
    const r = await get(healthUrl, left(), authHeaders(endpoint), dispatcher);
    if (r.status >= 200 && r.status < 300) return done(true, r.status, `GET ${healthUrl}${v}: HTTP ${r.status}`);
    if (r.status !== 404 && r.status !== 405) {
      return done(false, r.status, `GET ${healthUrl}${v}: HTTP ${r.status}${r.status === 503 ? ' (the server is still loading)' : ''}: ${clip(r.body.trim())}`);
    }
  } catch (e) {
    return done(false, 0, describe(e, `GET ${healthUrl}${v}`, deadlineMs));
  }
  if (left() <= 0) return done(false, 0, `GET ${healthUrl}${v}: no /health route and no time left for /models`);
  const modelsUrl = `${baseUrl.replace(/\/+$/, '')}/models`;
  try {
    const r = await get(modelsUrl, left(), authHeaders(endpoint), dispatcher);
    if (r.status >= 200 && r.status < 300) return done(true, r.status, `GET ${modelsUrl}${v}: HTTP ${r.status}`);
    return done(false, r.status, `GET ${modelsUrl}${v}: HTTP ${r.status}: ${clip(r.body.trim())}`);
  } catch (e) {
    return done(false, 0, describe(e, `GET ${modelsUrl}${v}`, deadlineMs));
  }
}

/**
 * Parses Prometheus text exposition into one number per metric name, summing over label sets
 * (so `vllm:num_requests_running` of several engines adds up). Histogram series keep their
 * suffixed names (`_bucket`, `_sum`, `_count`). NaN samples are skipped.
 */
export function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    let nameEnd = line.search(/[{\s]/);
    if (nameEnd === -1) continue;
    const name = line.slice(0, nameEnd);
    if (line[nameEnd] === '{') {
      // Skip the label set; label values may contain '}' and spaces inside quotes.
      let i = nameEnd + 1;
      let quoted = false;
      for (; i < line.length; i++) {
        const c = line[i];
        if (quoted) {
          if (c === '\\') i++;
          else if (c === '"') quoted = false;
        } else if (c === '"') quoted = true;
        else if (c === '}') break;
      }
      nameEnd = i + 1;
    }
    const value = line.slice(nameEnd).trim().split(/\s+/)[0];
    if (value === undefined || value === '') continue;
    const v = value === '+Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value);
    if (Number.isNaN(v)) continue;
    out.set(name, (out.get(name) ?? 0) + v);
  }
  return out;
}

/**
 * `GET {root}/metrics` parsed by `parsePrometheus`; null when the server has no metrics page
 * (llama-server without `--metrics`, hosted APIs) or cannot be reached.
 * @param deadlineMs @default 5000
 */
export async function fetchServerMetrics(baseUrl: string, deadlineMs = 5000, endpoint: Pick<Endpoint, 'unixSocket'> = {}): Promise<Map<string, number> | null> {
  try {
    const root = rootOf(baseUrl);
    const r = await get(`${root.origin}${root.basePath}/metrics`, deadlineMs, {}, helperDispatcher(endpoint));
    if (r.status < 200 || r.status >= 300) return null;
    const m = parsePrometheus(r.body);
    return m.size > 0 ? m : null;
  } catch {
    return null;
  }
}
