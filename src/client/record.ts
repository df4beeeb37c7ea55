/**
 * Builds one `RequestRecord` from what a response delivered: SSE events as they arrive
 * (streaming) or one JSON body (non-streaming). Owns the metric semantics of metrics.md: which
 * event sets TTFC, TTFT, TTFO, which events are token-bearing, where N comes from, and when a
 * stream that ended is a success, a cut stream or an empty one.
 */
import type { FailureKind, RequestFailure, RequestRecord } from './types.ts';
import { emptyView, isOutputBearing, isTokenBearing, readChunk, readError, readUsage, type UsageView } from './chunk.ts';
import { redactSecrets } from './redact.ts';

type CountTokens = (text: string) => number;
let counter: Promise<CountTokens> | null = null;

/**
 * The fallback tokenizer (o200k_base, the simulator's), loaded on first use: most servers send
 * usage, and loading the BPE ranks costs memory and start-up time the hot path should not pay.
 */
function loadCounter(): Promise<CountTokens> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => {
    // Generated text may contain special-token strings; count them as plain text instead of throwing.
    const opts = { disallowedSpecial: new Set<string>() };
    return (text: string) => m.countTokens(text, opts);
  });
  return counter;
}

/** Starts a record: every field the contract requires, nothing observed yet. */
export function newRecord(id: string, tSched: number, tSend: number): RequestRecord {
  return { id, ok: false, tSched, tSend, tokenTimes: [], usageSource: 'none', outputText: '' };
}

export function failure(kind: FailureKind, message: string, extra: Omit<RequestFailure, 'kind' | 'message'> = {}): RequestFailure {
  return { kind, message: redactSecrets(message), ...extra };
}

/**
 * What the stream handler should do after an event: keep reading, stop because `[DONE]` came,
 * or stop because an error or malformed event failed the request (the record has its failure).
 */
export const EventResult = { Continue: 0, Done: 1, Failed: 2 } as const;
export type EventResult = (typeof EventResult)[keyof typeof EventResult];

/**
 * Accumulates a streamed response. `onEvent` is on the hot path (once per SSE event): it reuses
 * one chunk view, appends to strings and number arrays, and reads the clock nowhere (the time
 * comes from the read that delivered the event).
 */
export class StreamAccumulator {
  readonly rec: RequestRecord;
  failure: RequestFailure | null = null;
  sawDone = false;
  private readonly view = emptyView();
  private reasoning = '';
  private toolText = '';
  private toolCalls = 0;
  private usage: UsageView | null = null;
  /** Per-event token counts from continuous usage; dropped as soon as one token event lacks usage. */
  private perEvent: number[] | null = [];
  private lastCompletion = 0;

  constructor(rec: RequestRecord) {
    this.rec = rec;
  }

  onEvent(data: string, t: number): EventResult {
    if (data === '[DONE]') {
      this.sawDone = true;
      this.rec.tClose = t;
      return EventResult.Done;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(data);
    } catch (e) {
      this.failure = failure('malformed_event', `an SSE data line is not valid JSON (${(e as Error).message}): ${clip(data)}`);
      return EventResult.Failed;
    }
    const v = readChunk(obj, this.view);
    if (v.malformed !== null) {
      this.failure = failure('malformed_event', `an SSE event is not an OpenAI chunk: ${v.malformed}: ${clip(data)}`);
      return EventResult.Failed;
    }
    if (v.error !== null) {
      this.failure = failure('stream_cut', `the server sent an error event mid-stream: ${v.error.message}`, v.error.status !== undefined ? { status: v.error.status } : {});
      return EventResult.Failed;
    }
    const rec = this.rec;
    if (v.hasChoices) {
      rec.tFirstChunk ??= t;
      if (v.finishReason !== null) rec.finishReason = v.finishReason;
    }
    const ct = v.usage?.completionTokens;
    if (v.usage !== null) {
      // Later usage wins field by field: a final usage-only chunk may omit what an earlier one had.
      const u = (this.usage ??= {});
      if (v.usage.promptTokens !== undefined) u.promptTokens = v.usage.promptTokens;
      if (ct !== undefined) u.completionTokens = ct;
      if (v.usage.cachedTokens !== undefined) u.cachedTokens = v.usage.cachedTokens;
    }
    if (isTokenBearing(v)) {
      rec.tFirstToken ??= t;
      if (isOutputBearing(v)) rec.tFirstOutput ??= t;
      rec.tokenTimes.push(t);
      rec.tEnd = t;
      if (v.content.length > 0) rec.outputText += v.content;
      if (v.reasoning.length > 0) this.reasoning += v.reasoning;
      if (v.toolCalls > 0) {
        this.toolCalls += v.toolCalls;
        this.toolText += v.toolText;
      }
      if (this.perEvent !== null) {
        if (ct !== undefined && ct >= this.lastCompletion) this.perEvent.push(ct - this.lastCompletion);
        else this.perEvent = null;
      }
    }
    if (ct !== undefined) this.lastCompletion = ct;
    return EventResult.Continue;
  }

  /**
   * The stream ended (cleanly or not) at `tClose`. Decides the outcome: a prior failure stands;
   * without `[DONE]` the stream is complete only if a finish reason came; then no token at all
   * is `empty_output`. Fills usage, or a tokenizer estimate over the whole text (never per chunk).
   */
  async finish(tClose: number): Promise<RequestRecord> {
    const rec = this.rec;
    rec.tClose ??= tClose;
    if (this.reasoning.length > 0) rec.reasoningText = this.reasoning;
    if (this.toolCalls > 0) rec.toolCallEvents = this.toolCalls;
    // Continuous usage stats only when every token event had them; a single event with usage
    // (usage on the last choices chunk) says nothing about how tokens were spread.
    if (this.perEvent !== null && this.perEvent.length === rec.tokenTimes.length && this.perEvent.length > 1) {
      rec.tokensPerEvent = this.perEvent;
    }
    let fail = this.failure;
    if (fail === null && !this.sawDone && (rec.finishReason === undefined || rec.finishReason === null)) {
      fail = failure('stream_cut', `the stream ended after ${rec.tokenTimes.length} token events without [DONE] or a finish_reason`);
    }
    if (fail === null && rec.tokenTimes.length === 0) {
      const said = this.usage?.completionTokens;
      fail = failure('empty_output', `the response completed (finish_reason ${JSON.stringify(rec.finishReason ?? null)}) without any generated token` + (said !== undefined ? ` although usage.completion_tokens = ${said}` : ''));
    }
    await applyUsage(rec, this.usage, this.reasoning, this.toolText);
    if (fail !== null) rec.error = fail;
    rec.ok = fail === null;
    return rec;
  }
}

/** Fills a non-streaming record from the parsed JSON body. */
export async function fromCompletionBody(rec: RequestRecord, body: string, tEnd: number): Promise<RequestRecord> {
  rec.tClose = tEnd;
  let obj: unknown;
  try {
    obj = JSON.parse(body);
  } catch (e) {
    rec.error = failure('malformed_event', `the response body is not valid JSON (${(e as Error).message}): ${clip(body)}`);
    return rec;
  }
  const err = readError(obj);
  if (err !== null) {
    rec.error = failure('http', `the server returned an error body with status 200: ${err.message}`, err.status !== undefined ? { status: err.status } : {});
    return rec;
  }
  const o = obj as Record<string, unknown>;
  if (!Array.isArray(o.choices)) {
    rec.error = failure('malformed_event', `the response body has no "choices" array: ${clip(body)}`);
    return rec;
  }
  let reasoning = '';
  let toolText = '';
  let toolCalls = 0;
  for (const c of o.choices as unknown[]) {
    if (typeof c !== 'object' || c === null) continue;
    const ch = c as Record<string, unknown>;
    if (typeof ch.finish_reason === 'string') rec.finishReason = ch.finish_reason;
    if (typeof ch.text === 'string') rec.outputText += ch.text;
    const m = ch.message;
    if (typeof m === 'object' && m !== null) {
      const msg = m as Record<string, unknown>;
      if (typeof msg.content === 'string') rec.outputText += msg.content;
      if (typeof msg.reasoning_content === 'string') reasoning += msg.reasoning_content;
      else if (typeof msg.reasoning === 'string') reasoning += msg.reasoning;
      if (Array.isArray(msg.tool_calls)) {
        toolCalls += msg.tool_calls.length;
        toolText += JSON.stringify(msg.tool_calls);
      }
    }
  }
  if (reasoning.length > 0) rec.reasoningText = reasoning;
  if (toolCalls > 0) rec.toolCallEvents = toolCalls;
  await applyUsage(rec, readUsage(o.usage), reasoning, toolText);
  if (rec.outputText.length === 0 && reasoning.length === 0 && toolCalls === 0) {
    rec.error = failure('empty_output', `the response completed (finish_reason ${JSON.stringify(rec.finishReason ?? null)}) without any generated text`);
    return rec;
  }
  rec.ok = true;
  return rec;
}

async function applyUsage(rec: RequestRecord, usage: UsageView | null, reasoning: string, toolText: string): Promise<void> {
  if (usage !== null) {
    if (usage.promptTokens !== undefined) rec.promptTokens = usage.promptTokens;
    if (usage.cachedTokens !== undefined) rec.cachedTokens = usage.cachedTokens;
  }
  if (usage?.completionTokens !== undefined) {
    rec.completionTokens = usage.completionTokens;
    rec.usageSource = 'server';
    return;
  }
  if (rec.outputText.length === 0 && reasoning.length === 0 && toolText.length === 0) {
    rec.usageSource = usage !== null ? 'server' : 'none';
    return;
  }
  const count = await loadCounter();
  // Each channel is counted whole: the same text split per chunk would count more tokens.
  rec.completionTokens = count(rec.outputText) + (reasoning.length > 0 ? count(reasoning) : 0) + (toolText.length > 0 ? count(toolText) : 0);
  rec.usageSource = 'client_estimate';
}

/** Keeps error messages readable when the offending payload is large. */
export function clip(s: string, max = 300): string {
  return s.length <= max ? s : `${s.slice(0, max)}... (${s.length} chars)`;
}
