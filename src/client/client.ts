/**
 * The benchmark's HTTP client: one generation request in, one `RequestRecord` out, never an
 * exception. Built on undici's dispatcher API directly (no fetch, no stream objects) so each
 * response read costs one callback: the time is read there, the SSE parser consumes the bytes in
 * place, and the record is filled as events arrive.
 */
import { Agent, type Dispatcher } from 'undici';
import { buildRequestBody, routeOf, targetOf } from './body.ts';
import { httpFailure, transportFailure } from './errors.ts';
import { EventResult, StreamAccumulator, failure, fromCompletionBody, newRecord } from './record.ts';
import { registerSecret } from './redact.ts';
import { SseParser } from './sse.ts';
import type { Endpoint, GenerationRequest, RequestFailure, RequestRecord } from './types.ts';
import { viaUnixSocket } from './unix-socket.ts';

export { listModels, checkHealth, fetchServerMetrics, type ModelInfo, type ListModelsResult, type HealthResult } from './server-info.ts';
export { redactSecrets } from './redact.ts';

export interface ClientOptions {
  /**
   * Keep-alive connections per server origin. Size it to the load's concurrency: a request that
   * finds every connection busy waits in the client, before `tSend`.
   * @default 256
   */
  connections?: number;
  /**
   * Longest wait for response headers after the request is written, ms. Servers that queue
   * requests answer headers late under overload; this is the point where that counts as failure.
   * @default 600000 (10 minutes)
   */
  headerTimeoutMs?: number;
  /**
   * Longest silence after the headers, ms (a stalled stream). vLLM and SGLang send headers as
   * soon as a request is accepted, so under overload the queue wait and the prefill count
   * against this deadline, not the header one; the default leaves room for that (and for
   * llama-server's 30 s keep-alive pings).
   * @default 300000 (5 minutes)
   */
  stallTimeoutMs?: number;
  /**
   * TCP (and TLS) connect deadline, ms.
   * @default 10000
   */
  connectTimeoutMs?: number;
}

export interface SendOptions {
  /** Cancels the request; the record then fails with `aborted`. */
  signal?: AbortSignal;
  /**
   * When the scheduler meant to send it (`performance.now()` ms).
   * @default the time `send` was called
   */
  tSched?: number;
  /** @default `req-<n>`, unique within this client */
  id?: string;
  tags?: Record<string, string | number>;
  warmup?: boolean;
}

export interface BenchClient {
  /** Sends one request; resolves its record. Never rejects: failures are records with `ok: false`. */
  send(endpoint: Endpoint, req: GenerationRequest, opts?: SendOptions): Promise<RequestRecord>;
  /** Destroys every connection; in-flight requests fail. */
  close(): Promise<void>;
}

const SECRET_HEADER = /auth|key|token|secret/i;

/** Most bytes of an error body kept for its message. */
const MAX_ERROR_BODY = 64 * 1024;

class AbortedByCaller extends Error {
  readonly code = 'ABORTED_BY_CALLER';
}

type Mode = 'stream' | 'json' | 'error';
type IncomingHttpHeaders = Record<string, string | string[] | undefined>;

/** One in-flight request: an undici dispatch handler that settles exactly once. */
class RequestHandler implements Dispatcher.DispatchHandler {
  private readonly rec: RequestRecord;
  private readonly where: string;
  private readonly endpoint: Endpoint;
  private readonly streamRequested: boolean;
  private readonly timeouts: { headerMs: number; stallMs: number };
  private readonly resolve: (r: RequestRecord) => void;
  private readonly signal: AbortSignal | undefined;
  private controller: Dispatcher.DispatchController | null = null;
  private settled = false;
  private abortedByCaller = false;
  private mode: Mode = 'json';
  private status = 0;
  private retryAfter: string | string[] | undefined;
  private acc: StreamAccumulator | null = null;
  private parser: SseParser | null = null;
  private parts: Buffer[] = [];
  private bytes = 0;
  private readonly onAbort = (): void => this.abortFromCaller();

  constructor(
    rec: RequestRecord,
    endpoint: Endpoint,
    streamRequested: boolean,
    where: string,
    timeouts: { headerMs: number; stallMs: number },
    signal: AbortSignal | undefined,
    resolve: (r: RequestRecord) => void,
  ) {
    this.rec = rec;
    this.endpoint = endpoint;
    this.streamRequested = streamRequested;
    this.where = where;
    this.timeouts = timeouts;
    this.signal = signal;
    this.resolve = resolve;
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.settled) {
      // Aborted while waiting for a free connection: never write it.
      controller.abort(new AbortedByCaller('aborted'));
      return;
    }
    // Just before the request bytes are written: queueing for a connection is before this.
    this.rec.tSend = performance.now();
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    const t = performance.now();
    if (this.settled) return;
    this.rec.tHeaders = t;
    this.status = statusCode;
    if (statusCode < 200 || statusCode >= 300) {
      this.mode = 'error';
      this.retryAfter = headers['retry-after'];
      return;
    }
    const ct = headers['content-type'];
    const type = (Array.isArray(ct) ? ct[0] : ct) ?? '';
    // A server that ignores `stream: true` and answers JSON is read as a non-streaming response.
    if (this.streamRequested && !type.includes('application/json')) {
      this.mode = 'stream';
      const acc = new StreamAccumulator(this.rec);
      this.acc = acc;
      this.parser = new SseParser((data, te) => {
        if (this.settled) return;
        const r = acc.onEvent(data, te);
        if (r !== EventResult.Continue) this.completeStream(te, r === EventResult.Failed);
      });
    } else {
      this.mode = 'json';
    }
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    if (this.mode === 'stream') {
      try {
        this.parser!.push(chunk, performance.now());
      } catch (e) {
        this.acc!.failure = failure('malformed_event', `${this.where}: ${(e as Error).message}`);
        this.completeStream(performance.now(), true);
      }
      return;
    }
    if (this.mode === 'error' && this.bytes >= MAX_ERROR_BODY) return;
    this.parts.push(chunk);
    this.bytes += chunk.length;
  }

  onResponseEnd(): void {
    const t = performance.now();
    if (this.settled) return;
    if (this.mode === 'stream') {
      try {
        this.parser!.end();
      } catch (e) {
        this.acc!.failure = failure('malformed_event', `${this.where}: ${(e as Error).message}`);
      }
      if (!this.settled) this.completeStream(t, false);
      return;
    }
    const body = Buffer.concat(this.parts, this.bytes).toString('utf8');
    this.parts = [];
    if (this.mode === 'error') {
      this.rec.tClose = t;
      this.fail(httpFailure(this.status, body, this.retryAfter, this.where, this.endpoint.apiKeyEnv));
      return;
    }
    this.settle(fromCompletionBody(this.rec, body, t));
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.handleError(err);
  }

  /** A transport error (or a synchronous dispatch error) ended the request. */
  handleError(err: Error): void {
    const t = performance.now();
    if (this.settled) return;
    if (this.abortedByCaller || err instanceof AbortedByCaller) {
      this.rec.tClose = t;
      this.fail(failure('aborted', `${this.where}: aborted by the caller`));
      return;
    }
    const f = transportFailure(err, this.where, this.rec.tHeaders !== undefined, this.timeouts);
    if (this.mode === 'stream' && this.acc) {
      try {
        this.parser!.end();
      } catch {
        // the transport failure below is the better explanation
      }
      if (this.settled) return;
      // A stream that already said how it finished lost nothing when the socket went.
      if (this.rec.finishReason === undefined || this.rec.finishReason === null) this.acc.failure ??= f;
      this.completeStream(t, false);
      return;
    }
    this.rec.tClose = t;
    this.fail(f);
  }

  /** Caller's signal fired: settle now, even if the request still waits for a connection. */
  abortFromCaller(): void {
    if (this.settled) return;
    this.abortedByCaller = true;
    const t = performance.now();
    if (this.mode === 'stream' && this.acc) {
      this.acc.failure ??= failure('aborted', `${this.where}: aborted by the caller`);
      this.completeStream(t, true);
    } else {
      this.rec.tClose = t;
      this.fail(failure('aborted', `${this.where}: aborted by the caller`));
    }
    this.controller?.abort(new AbortedByCaller('aborted'));
  }

  private completeStream(t: number, stopReading: boolean): void {
    this.settle(this.acc!.finish(t));
    // An error or malformed event, or an abort: the server may keep streaming; drop the connection.
    if (stopReading && this.controller && !this.controller.aborted) this.controller.abort(new AbortedByCaller('stopped reading'));
  }

  private fail(f: RequestFailure): void {
    this.rec.ok = false;
    this.rec.error = f;
    this.settle(this.rec);
  }

  private settle(r: RequestRecord | Promise<RequestRecord>): void {
    if (this.settled) return;
    this.settled = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    if (r instanceof Promise) {
      r.then(this.resolve, (e: unknown) => {
        this.rec.ok = false;
        this.rec.error = failure('malformed_event', `${this.where}: could not read the response: ${(e as Error).message}`);
        this.resolve(this.rec);
      });
    } else {
      this.resolve(r);
    }
  }
}

/** Creates a client with its own keep-alive connection pool. */
export function createClient(opts: ClientOptions = {}): BenchClient {
  const timeouts = { headerMs: opts.headerTimeoutMs ?? 600_000, stallMs: opts.stallTimeoutMs ?? 300_000 };
  const agentOptions = (socketPath?: string): Agent.Options => ({
    connections: opts.connections ?? 256,
    pipelining: 1,
    headersTimeout: timeouts.headerMs,
    bodyTimeout: timeouts.stallMs,
    connect: { timeout: opts.connectTimeoutMs ?? 10_000, ...(socketPath !== undefined ? { socketPath } : {}) },
  });
  const agent = new Agent(agentOptions());
  // Endpoints behind a Unix socket: one pool per socket path, with the same limits and timeouts.
  const socketAgents = new Map<string, Agent>();
  const dispatcherFor = (endpoint: Endpoint): Agent => {
    if (endpoint.unixSocket === undefined) return agent;
    let a = socketAgents.get(endpoint.unixSocket);
    if (!a) {
      a = new Agent(agentOptions(endpoint.unixSocket));
      socketAgents.set(endpoint.unixSocket, a);
    }
    return a;
  };
  let seq = 0;
  let closed = false;

  function send(endpoint: Endpoint, req: GenerationRequest, so: SendOptions = {}): Promise<RequestRecord> {
    const now = performance.now();
    const rec = newRecord(so.id ?? `req-${seq++}`, so.tSched ?? now, now);
    if (so.warmup) rec.warmup = true;
    if (so.tags) rec.tags = so.tags;
    if (req.intendedInputTokens !== undefined) rec.intendedInputTokens = req.intendedInputTokens;
    if (req.intendedOutputTokens !== undefined) rec.intendedOutputTokens = req.intendedOutputTokens;
    const route = routeOf(endpoint);
    const where = `POST ${endpoint.baseUrl}${route}${viaUnixSocket(endpoint)}`;
    const early = (f: RequestFailure): Promise<RequestRecord> => {
      rec.error = f;
      return Promise.resolve(rec);
    };
    if (closed) return early(failure('aborted', `${where}: the client was closed`));
    if (so.signal?.aborted) return early(failure('aborted', `${where}: aborted by the caller before sending`));
    let origin: string;
    let path: string;
    let payload: Buffer;
    try {
      const target = targetOf(endpoint.baseUrl);
      origin = target.origin;
      path = target.basePath + route;
      payload = Buffer.from(JSON.stringify(buildRequestBody(endpoint, req)));
    } catch (e) {
      return early(failure('connect', `${where}: ${(e as Error).message}`));
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: req.stream ? 'text/event-stream' : 'application/json',
      ...endpoint.headers,
    };
    // Credentials given as literal headers in the config are secrets too.
    if (endpoint.headers) for (const [k, v] of Object.entries(endpoint.headers)) if (SECRET_HEADER.test(k)) registerSecret(v);
    if (endpoint.apiKeyEnv) {
      const key = process.env[endpoint.apiKeyEnv];
      if (key) {
        registerSecret(key);
        headers.authorization = `Bearer ${key}`;
      }
    }
    return new Promise<RequestRecord>((resolve) => {
      const handler = new RequestHandler(rec, endpoint, req.stream, where, timeouts, so.signal, resolve);
      try {
        dispatcherFor(endpoint).dispatch({ origin, path, method: 'POST', headers, body: payload }, handler);
      } catch (e) {
        handler.handleError(e as Error);
      }
    });
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await Promise.all([agent.destroy(), ...[...socketAgents.values()].map((a) => a.destroy())]);
  }

  return { send, close };
}
