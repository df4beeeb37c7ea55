/**
 * A real loopback HTTP server for client tests: each test scripts the bytes of one response.
 * Bound to 127.0.0.1 on an ephemeral port; `close()` destroys open sockets so tests never hang.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Script = (req: Received, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface TestServer {
  /** `http://127.0.0.1:<port>/v1` */
  baseUrl: string;
  origin: string;
  /** Every request received, in order. */
  received: Received[];
  close(): Promise<void>;
}

export async function startServer(script: Script): Promise<TestServer> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((raw, res) => {
    const parts: Buffer[] = [];
    raw.on('data', (c: Buffer) => parts.push(c));
    raw.on('end', () => {
      const r: Received = { method: raw.method ?? '', url: raw.url ?? '', headers: raw.headers, body: Buffer.concat(parts).toString('utf8') };
      received.push(r);
      Promise.resolve(script(r, res, raw)).catch((e: unknown) => {
        res.destroy(e as Error);
      });
    });
  });
  server.on('connection', (s) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: `${origin}/v1`,
    origin,
    received,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts an SSE response. */
export function sseHead(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

export function ev(obj: unknown): string {
  return `data: ${JSON.stringify(obj)}\n\n`;
}

/** A chat chunk with the given delta (and optional finish reason / usage). */
export function chat(delta: Record<string, unknown>, finish: string | null = null, usage?: Record<string, unknown>): unknown {
  const c: Record<string, unknown> = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
  if (usage) c.usage = usage;
  return c;
}

export function usageOnly(prompt: number, completion: number): unknown {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } };
}

/** Writes the pieces with a pause between them so each arrives in its own read. */
export async function writeSlowly(res: ServerResponse, pieces: (string | Buffer)[], gapMs: number): Promise<void> {
  for (const p of pieces) {
    res.write(p);
    await sleep(gapMs);
  }
}
