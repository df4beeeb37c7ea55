/** A plain node:http client for the simulator's tests (independent of src/client on purpose). */
import { request } from 'node:http';

export interface SseEvent {
  t: number;
  data: string;
}

export interface Observed {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  tSend: number;
  tHeaders: number;
  /** Raw body for non-SSE responses. */
  body: string;
  events: SseEvent[];
  /** Comment lines (starting with ':'). */
  comments: number;
  /** Set when the connection failed (e.g. ECONNRESET). */
  error?: string;
  tClose: number;
}

/** POST JSON and record the arrival time of every SSE event (performance.now()). */
export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Observed> {
  return new Promise((resolve) => {
    const payload = JSON.stringify(body);
    const tSend = performance.now();
    const obs: Observed = { status: 0, headers: {}, tSend, tHeaders: 0, body: '', events: [], comments: 0, tClose: 0 };
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, agent: false }, (res) => {
      obs.status = res.statusCode ?? 0;
      obs.headers = res.headers;
      obs.tHeaders = performance.now();
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        const t = performance.now();
        obs.body += chunk;
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          for (const line of block.split('\n')) {
            if (line.startsWith('data: ')) obs.events.push({ t, data: line.slice(6) });
            else if (line.startsWith(':')) obs.comments++;
          }
        }
      });
      res.on('end', () => {
        obs.tClose = performance.now();
        resolve(obs);
      });
      res.on('error', (e) => {
        obs.error = (e as NodeJS.ErrnoException).code ?? e.message;
        obs.tClose = performance.now();
        resolve(obs);
      });
      res.on('aborted', () => {
        obs.error ??= 'aborted';
      });
    });
    req.on('error', (e) => {
      obs.error = (e as NodeJS.ErrnoException).code ?? e.message;
      obs.tClose = performance.now();
      resolve(obs);
    });
    req.end(payload);
  });
}

export async function getText(url: string): Promise<{ status: number; text: string }> {
  const r = await fetch(url);
  return { status: r.status, text: await r.text() };
}

/** Token-bearing events: chunks whose first choice carries non-empty content/text. */
export function tokenEvents(obs: Observed): { t: number; json: Record<string, unknown> }[] {
  const out: { t: number; json: Record<string, unknown> }[] = [];
  for (const e of obs.events) {
    if (e.data === '[DONE]') continue;
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(e.data) as Record<string, unknown>;
    } catch {
      continue;
    }
    const c = (j.choices as { delta?: { content?: string | null }; text?: string }[] | undefined)?.[0];
    const piece = c?.delta?.content ?? c?.text;
    if (piece) out.push({ t: e.t, json: j });
  }
  return out;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = (s.length - 1) / 2;
  return (s[Math.floor(m)]! + s[Math.ceil(m)]!) / 2;
}

export const chat = (text: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  messages: [{ role: 'user', content: text }],
  ...extra,
});
