/**
 * A loopback server with the tokenizer endpoints of vLLM or llama-server, counting with a real BPE
 * (cl100k from gpt-tokenizer) so prompt-length tests exercise a real tokenizer, not an echo.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decode, encode } from 'gpt-tokenizer/encoding/cl100k_base';

export type FakeFlavor = 'vllm' | 'llamacpp' | 'none';

/** Stand-in BOS id: vLLM and llama-server count the BOS of models that have one. */
export const BOS = 100257;

/** A fixed, non-trivial chat template, so the templated count differs from the content count. */
export function applyTemplate(messages: { role: string; content: string }[]): string {
  return messages.map((m) => `### ${m.role}:\n${m.content}\n\n`).join('') + '### assistant:\n';
}

export function countPrompt(text: string): number {
  return encode(text).length + 1;
}

export function countChat(messages: { role: string; content: string }[]): number {
  return encode(applyTemplate(messages)).length + 1;
}

export interface FakeServer {
  baseUrl: string;
  /** Requests seen, by path. */
  calls: Map<string, number>;
  /** Authorization headers seen. */
  auth: (string | undefined)[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeTokenizeServer(flavor: FakeFlavor, opts: { model?: string; apiKey?: string } = {}): Promise<FakeServer> {
  const model = opts.model ?? 'fake-model';
  const calls = new Map<string, number>();
  const auth: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? '';
      calls.set(path, (calls.get(path) ?? 0) + 1);
      auth.push(req.headers.authorization);
      const send = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) return send(401, { error: 'bad key' });
      const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
      if (flavor === 'vllm' && path === '/tokenize') {
        if (body.model !== model) return send(404, { object: 'error', message: `The model \`${String(body.model)}\` does not exist.` });
        const text = Array.isArray(body.messages) ? applyTemplate(body.messages as { role: string; content: string }[]) : String(body.prompt);
        const tokens = [BOS, ...encode(text)];
        return send(200, { count: tokens.length, max_model_len: 8192, tokens });
      }
      if (flavor === 'vllm' && path === '/detokenize') return send(200, { prompt: decode((body.tokens as number[]).filter((t) => t !== BOS)) });
      if (flavor === 'llamacpp' && path === '/tokenize') {
        if (typeof body.content !== 'string') return send(500, { error: { code: 500, message: '[json.exception.out_of_range.403] key \'content\' not found' } });
        const tokens = [...(body.add_special ? [BOS] : []), ...encode(body.content)];
        return send(200, { tokens });
      }
      if (flavor === 'llamacpp' && path === '/detokenize') return send(200, { content: decode((body.tokens as number[]).filter((t) => t !== BOS)) });
      send(404, { error: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls,
    auth,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // undici keeps connections alive; without this close() waits for their idle timeout.
        server.closeAllConnections();
      }),
  };
}
