/** Hand-built request records for metric tests. */
import type { RequestRecord } from '../../src/client/types.ts';

let seq = 0;

/** A successful streaming record; override any field. */
export function rec(p: Partial<RequestRecord> & { tSend: number }): RequestRecord {
  return {
    id: `r${seq++}`,
    ok: true,
    tSched: p.tSend,
    tokenTimes: [],
    usageSource: 'server',
    outputText: '',
    finishReason: 'stop',
    ...p,
  };
}

/** A streaming record whose tokens arrive at the given times (one token per event). */
export function streamed(tSend: number, tokenTimes: number[], extra: Partial<RequestRecord> = {}): RequestRecord {
  const first = tokenTimes[0];
  const last = tokenTimes[tokenTimes.length - 1];
  return rec({
    tSend,
    tFirstChunk: first,
    tFirstToken: first,
    tFirstOutput: first,
    tEnd: last,
    tClose: last !== undefined ? last + 1 : undefined,
    tokenTimes,
    completionTokens: tokenTimes.length,
    promptTokens: 10,
    ...extra,
  });
}

export function failed(tSend: number, error: RequestRecord['error']): RequestRecord {
  return rec({ tSend, ok: false, error, usageSource: 'none', finishReason: null });
}
