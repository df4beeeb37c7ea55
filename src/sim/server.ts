/**
 * The simulator's HTTP server (node:http): OpenAI-compatible routes in vLLM's shapes, driven by
 * the {@link Engine} timing model. One process serves one model.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadAnswerBank, type AnswerBank } from './answers.ts';
import type { SimModelConfig } from './config.ts';
import { ContentModel } from './content.ts';
import { Engine, blockHashes } from './engine.ts';
import { badRequest, HttpError, llamaContextExceeded, vllmPromptTooLong, vllmTotalTooLong } from './errors.ts';
import { planFaults } from './faults.ts';
import { SimMetrics } from './metrics.ts';
import { parseChatPrompt, parseCompletionPrompt, parseParams, type ParsedPrompt } from './request.ts';
import { decodeIds } from './tokenizer.ts';
import { PreparedChunks } from './prepared.ts';
import { completionBody, SseWriter, type WireJob } from './wire.ts';

export interface SimServerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (an ephemeral port) */
  port?: number;
  /**
   * Listen on this Unix domain socket instead of TCP (`host`/`port` ignored; `url` is then
   * `http://localhost/v1` and clients connect through the socket path). Loopback TCP costs the
   * kernel about twice as much per small write as a Unix socket, which matters at 100k+ chunks/s.
   */
  socketPath?: string;
  /** The model id served (the request's `model`). */
  servedName: string;
  maxModelLen: number;
  sim: SimModelConfig;
  /** When set, `/v1/*` requires `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Directory that a relative `sim.answer_bank` path resolves against. @default process.cwd() */
  baseDir?: string;
  /** An already loaded answer bank (overrides `sim.answer_bank`). */
  answerBank?: AnswerBank;
}

export interface SimServer {
  /** Base URL ending in `/v1`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** @default 64 MiB: request bodies carry base64 images. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function hashIds(ids: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const id of ids) h = Math.imul(h ^ id, 0x01000193) >>> 0;
  return h;
}

/**
 * A socket file left by a server that is gone makes listen() fail with EADDRINUSE: remove it, but
 * only when nothing answers on it (another live server keeps its socket).
 */
async function clearStaleSocket(path: string): Promise<void> {
  const { lstatSync, unlinkSync } = await import('node:fs');
  const { connect } = await import('node:net');
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new Error(`${path} exists and is not a Unix socket; choose another path for the simulator's socket`);
  const live = await new Promise<boolean>((resolveProbe) => {
    const c = connect({ path });
    c.once('connect', () => {
      c.destroy();
      resolveProbe(true);
    });
    c.once('error', () => resolveProbe(false));
  });
  if (live) throw new Error(`${path}: another server is listening on this Unix socket; stop it or choose another path`);
  unlinkSync(path);
}

export async function startSimServer(opts: SimServerOptions): Promise<SimServer> {
  const { sim, servedName, maxModelLen } = opts;
  const { resolve } = await import('node:path');
  const bank = opts.answerBank ?? (sim.answer_bank ? loadAnswerBank(resolve(opts.baseDir ?? process.cwd(), sim.answer_bank)) : undefined);
  const engine = new Engine(sim);
  const epoch = performance.now();
  // Streamed chunks are built during each step and written together at its end (prepared.ts).
  const prepared = new PreparedChunks(sim.wire.timing_field, epoch);
  engine.onStepStart = (t) => prepared.complete(t);
  engine.onStepEnd = (t) => prepared.flush(t);
  const metrics = new SimMetrics(servedName, engine);
  prepared.onFlushed = (ms) => metrics.stepWrites.observe(ms / 1000);
  const content = new ContentModel(sim, bank);
  const created = Math.floor(Date.now() / 1000);
  let requestCount = 0;

  const checkModel = (body: Record<string, unknown>): void => {
    if (body.model !== undefined && body.model !== servedName) {
      throw new HttpError(404, `The model \`${String(body.model)}\` does not exist.`, 'NotFoundError');
    }
  };

  // When each request's headers arrived: the engine counts a request from then, so parsing and
  // tokenizing it overlap the first step (vLLM tokenizes in its API process while the engine runs)
  // instead of adding an unmodelled delay to TTFT.
  const arrivals = new WeakMap<IncomingMessage, number>();

  async function generate(kind: 'chat' | 'completions', body: Record<string, unknown>, req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkModel(body);
    const params = parseParams(body, kind);
    const prompt: ParsedPrompt = kind === 'chat' ? await parseChatPrompt(body, sim.image) : parseCompletionPrompt(body.prompt);
    const promptLen = prompt.ids.length;
    if (promptLen === 0) throw badRequest('the prompt is empty');
    // Context limit, in the wording of the server this model imitates.
    if (promptLen >= maxModelLen) throw sim.overflow === 'error' ? vllmPromptTooLong(maxModelLen, promptLen) : llamaContextExceeded(maxModelLen, promptLen);
    if (sim.overflow === 'error' && params.maxTokens !== undefined && promptLen + params.maxTokens > maxModelLen) {
      throw vllmTotalTooLong(maxModelLen, promptLen, params.maxTokens);
    }
    const index = ++requestCount;
    const faults = planFaults(sim.faults, sim.seed, index);
    if (faults.resetBeforeHeaders) {
      req.socket.resetAndDestroy();
      return;
    }
    if (faults.httpError) {
      const { status, retryAfterS } = faults.httpError;
      const type = status === 429 ? 'RateLimitError' : status === 503 ? 'ServiceUnavailableError' : 'InternalServerError';
      throw new HttpError(status, `simulated HTTP ${status} (sim.faults, request #${index})`, type, {}, retryAfterS !== undefined ? { 'retry-after': String(retryAfterS) } : {});
    }
    const planOpts: Parameters<ContentModel['plan']>[0] = {
      lastUserText: prompt.lastUserText,
      promptHash: hashIds(prompt.ids),
      requestIndex: index,
      room: maxModelLen - promptLen,
      minTokens: params.minTokens,
      ignoreEos: params.ignoreEos,
      temperature: params.temperature,
    };
    if (params.maxTokens !== undefined) planOpts.maxTokens = params.maxTokens;
    if (params.seed !== undefined) planOpts.seed = params.seed;
    const plan = content.plan(planOpts);
    const job: WireJob = {
      kind,
      id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-sim${index.toString(16).padStart(8, '0')}`,
      created: Math.floor(Date.now() / 1000),
      model: servedName,
      promptTokens: promptLen,
      includeUsage: params.includeUsage,
      continuousUsage: params.continuousUsage,
      plan,
      faults,
      epoch,
    };
    const cached = (): number | undefined => (sim.engine.prefix_caching ? seq.cachedTokens : undefined);
    let finished = false;
    const record = (reason: 'stop' | 'length' | 'abort'): void => {
      if (finished) return;
      finished = true;
      metrics.finished[reason]++;
      if (reason !== 'abort') {
        if (seq.firstTokenT !== undefined) metrics.ttft.observe((seq.firstTokenT - seq.arrivalT) / 1000);
        metrics.e2e.observe((performance.now() - seq.arrivalT) / 1000);
      }
    };
    let writer: SseWriter | undefined;
    const onReject = (_s: unknown, message: string): void => {
      finished = true;
      const e = badRequest(message);
      if (!res.headersSent) sendJson(res, e.status, e.body());
      else res.end();
    };
    // Non-streaming mid-stream faults act when their token count is reached.
    const nsFaults = faults.midStream.slice();
    let nsStallUntil = 0;
    const seq = engine.submit({
      arrivalT: arrivals.get(req),
      promptLen,
      blockHashes: sim.engine.prefix_caching ? blockHashes(prompt.hashIds, sim.engine.block_size) : [],
      outputLen: plan.length,
      onReject,
      onPreempt: () => writer?.preempted(),
      onToken: (s, t) => {
        if (writer) return writer.onToken(s, t);
        const f = nsFaults[0];
        if (f && s.emitted >= f.afterTokens) {
          nsFaults.shift();
          if (f.kind === 'reset_mid_stream') {
            engine.abort(s);
            record('abort');
            res.socket?.resetAndDestroy();
            return;
          }
          if (f.kind === 'error_event') {
            engine.abort(s);
            record('abort');
            const e = new HttpError(500, 'simulated engine failure (sim.faults.error_event)', 'InternalServerError');
            sendJson(res, 500, e.body());
            return;
          }
          if (f.kind === 'stall') nsStallUntil = performance.now() + (f.durationS ?? 0) * 1000;
          if (f.kind === 'malformed_event') nsFaults.unshift({ ...f, afterTokens: Infinity });
        }
        if (s.emitted < plan.length) return;
        record(plan.finishReason);
        const malformed = nsFaults.some((x) => x.kind === 'malformed_event');
        const bodyText = completionBody(job, s.emitted, cached());
        const send = (): void => sendJson(res, 200, malformed ? bodyText.slice(0, Math.floor(bodyText.length / 2)) : bodyText);
        const wait = nsStallUntil - performance.now();
        if (wait > 0) setTimeout(send, wait);
        else send();
      },
    });
    if (params.stream && seq.state !== 'done') {
      // No explicit Connection header: node:http sends keep-alive unless the client asked to close.
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      writer = new SseWriter(res, job, sim.wire, cached, {
        fidelity: metrics.emit,
        prepared,
        onEnd: (outcome) => {
          if (outcome === 'fault') {
            engine.abort(seq);
            record('abort');
          } else record(plan.finishReason);
        },
      });
    } else if (plan.length === 0 && seq.state !== 'done') {
      // Nothing to generate (max room 0 is excluded above, but min/max can meet at 0 via ignore_eos caps).
      engine.abort(seq);
      record(plan.finishReason);
      sendJson(res, 200, completionBody(job, 0, cached()));
    }
    res.on('close', () => {
      if (!finished) {
        engine.abort(seq);
        writer?.close();
        record('abort');
      }
    });
  }

  async function tokenize(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    let ids: number[];
    if (typeof body.content === 'string') {
      // llama-server shape.
      sendJson(res, 200, JSON.stringify({ tokens: parseCompletionPrompt(body.content, 'content').ids }));
      return;
    }
    checkModel(body);
    if (body.messages !== undefined) ids = (await parseChatPrompt(body, sim.image, body.add_generation_prompt !== false)).ids;
    else if (body.prompt !== undefined) ids = parseCompletionPrompt(body.prompt).ids;
    else throw badRequest('tokenize needs "prompt" or "messages" (vLLM) or "content" (llama-server)');
    sendJson(res, 200, JSON.stringify({ count: ids.length, max_model_len: maxModelLen, tokens: ids, token_strs: null }));
  }

  function detokenize(body: Record<string, unknown>, res: ServerResponse): void {
    const tokens = body.tokens;
    if (!Array.isArray(tokens) || !tokens.every((t) => Number.isInteger(t))) throw badRequest('detokenize needs "tokens": an array of integer token ids');
    let text: string;
    try {
      text = decodeIds(tokens as number[]);
    } catch (e) {
      throw badRequest((e as Error).message);
    }
    // vLLM answers {prompt}, llama-server {content}; the request shapes are identical, so send both.
    sendJson(res, 200, JSON.stringify({ prompt: text, content: text }));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    if (opts.apiKey !== undefined && path.startsWith('/v1/')) {
      if (req.headers.authorization !== `Bearer ${opts.apiKey}`) {
        // vLLM's exact 401 body.
        sendJson(res, 401, JSON.stringify({ error: 'Unauthorized' }));
        req.resume();
        return;
      }
    }
    if (req.method === 'GET') {
      if (path === '/health') {
        res.writeHead(200, { 'content-length': 0 });
        res.end();
      } else if (path === '/v1/models') {
        sendJson(res, 200, JSON.stringify({
          object: 'list',
          data: [{ id: servedName, object: 'model', created, owned_by: 'vllm', root: servedName, parent: null, max_model_len: maxModelLen, permission: [] }],
        }));
      } else if (path === '/metrics') {
        const text = metrics.render();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      } else sendJson(res, 404, JSON.stringify({ detail: 'Not Found' }));
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, JSON.stringify({ detail: 'Method Not Allowed' }));
      return;
    }
    const routes: Record<string, (b: Record<string, unknown>) => Promise<void> | void> = {
      '/v1/chat/completions': (b) => generate('chat', b, req, res),
      '/v1/completions': (b) => generate('completions', b, req, res),
      '/tokenize': (b) => tokenize(b, res),
      '/v1/tokenize': (b) => tokenize(b, res),
      '/detokenize': (b) => detokenize(b, res),
      '/v1/detokenize': (b) => detokenize(b, res),
    };
    const handler = routes[path];
    if (!handler) {
      req.resume();
      sendJson(res, 404, JSON.stringify({ detail: 'Not Found' }));
      return;
    }
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw badRequest('request body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('request body must be a JSON object');
    await handler(body as Record<string, unknown>);
  }

  const server = createServer({ keepAliveTimeout: 60_000, noDelay: true }, (req, res) => {
    arrivals.set(req, performance.now());
    route(req, res).catch((e: unknown) => {
      const err = e instanceof HttpError ? e : new HttpError(500, `simulator error: ${(e as Error).message}`, 'InternalServerError');
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      sendJson(res, err.status, err.body(), err.headers);
    });
  });
  // Thousands of concurrent streams: do not let Node's defaults cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.maxRequestsPerSocket = 0;

  if (opts.socketPath !== undefined) await clearStaleSocket(opts.socketPath);
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    // Thousands of clients connect at once: Node's default backlog (511) would drop SYNs (1 s+ retries).
    if (opts.socketPath !== undefined) server.listen({ path: opts.socketPath, backlog: 4096 }, () => resolveListen());
    else server.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1', backlog: 4096 }, () => resolveListen());
  });
  if (opts.socketPath !== undefined) {
    return {
      url: 'http://localhost/v1',
      port: 0,
      close: () =>
        new Promise<void>((resolveClose) => {
          server.close(() => resolveClose());
          server.closeAllConnections();
        }),
    };
  }
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
