/** A fake sender for load-engine tests: waits, then resolves a plausible record. */
import type { RequestRecord } from '../../src/client/types.ts';
import type { Send, SendContext } from '../../src/load/types.ts';

export interface FakeSendStats {
  inFlight: number;
  maxInFlight: number;
  /** performance.now() at each call, in call order. */
  sendTimes: number[];
  contexts: SendContext[];
}

/**
 * Resolves after `delayMs(index)` ms (or at once as an aborted record when the signal fires).
 * Tracks the in-flight count so tests can check concurrency bounds.
 */
export function fakeSend(delayMs: (callIndex: number) => number): { send: Send; stats: FakeSendStats } {
  const stats: FakeSendStats = { inFlight: 0, maxInFlight: 0, sendTimes: [], contexts: [] };
  const send: Send = (_req, ctx) => {
    const tSend = performance.now();
    const call = stats.sendTimes.length;
    stats.sendTimes.push(tSend);
    stats.contexts.push(ctx);
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    return new Promise<RequestRecord>((resolve) => {
      const finish = (abortedNow: boolean): void => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        stats.inFlight--;
        const t = performance.now();
        resolve(
          abortedNow
            ? { id: ctx.id, ok: false, error: { kind: 'aborted', message: 'aborted by the caller' }, tSched: ctx.tSched, tSend, tokenTimes: [], usageSource: 'none', outputText: '' }
            : {
                id: ctx.id,
                ok: true,
                tSched: ctx.tSched,
                tSend,
                tHeaders: tSend + 0.1,
                tFirstChunk: t,
                tFirstToken: t,
                tFirstOutput: t,
                tEnd: t,
                tClose: t,
                tokenTimes: [t],
                completionTokens: 1,
                promptTokens: 8,
                usageSource: 'server',
                finishReason: 'stop',
                outputText: 'x',
              },
        );
      };
      const onAbort = (): void => finish(true);
      const timer = setTimeout(() => finish(false), delayMs(call));
      if (ctx.signal.aborted) finish(true);
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
  };
  return { send, stats };
}

export const req = { stream: true, prompt: 'hello' } as const;
