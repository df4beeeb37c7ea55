/**
 * Runs a golden set against a target: every runnable case x trial sent once through the load
 * engine (records on disk like any measurement), then scored. Image cases are skipped, with the
 * reason, for a text-only model.
 */
import type { ChatMessage, ContentPart, GenerationRequest, RequestRecord } from '../client/types.ts';
import { loadImageDataUrl } from '../client/images.ts';
import type { GoldenCase, GoldenSet } from '../config/golden.ts';
import type { AccuracyCaseResult } from '../matchers/meta.ts';
import { aggregateAccuracy, casePromptText, scoreCase, type AccuracyAggregateExt } from '../scoring/index.ts';
import type { BenchTarget } from '../setup/target.ts';
import { measure, type Measurement } from './measure.ts';

export interface GoldenRun {
  set: GoldenSet;
  runnable: GoldenCase[];
  skipped: GoldenCase[];
  skipReason?: string;
  measurement: Measurement;
  /** Per case id, one result per trial, in trial order. */
  results: Map<string, AccuracyCaseResult[]>;
  /** Answer text per case id and trial. */
  answers: Map<string, string[]>;
  aggregate: AccuracyAggregateExt;
}

/** @default 1024: enough for the JSON answers the demo set asks for. */
export const DEFAULT_ACCURACY_MAX_TOKENS = 1024;

export function partitionCases(set: GoldenSet, target: Pick<BenchTarget, 'model' | 'modalities'>): { runnable: GoldenCase[]; skipped: GoldenCase[]; skipReason?: string } {
  const canSee = target.modalities.includes('image');
  const runnable = set.cases.filter((c) => !c.skipReason && (c.modality === 'text' || canSee));
  const skipped = set.cases.filter((c) => !runnable.includes(c));
  const imageSkipped = skipped.filter((c) => c.modality === 'image' && !canSee).length;
  const reasons = [
    imageSkipped ? `${imageSkipped} image case(s) skipped: ${target.model} is text-only (modalities: ${target.modalities.join(', ')})` : '',
    ...skipped.filter((c) => c.skipReason).map((c) => `${c.id}: ${c.skipReason}`),
  ].filter(Boolean);
  return { runnable, skipped, ...(reasons.length ? { skipReason: reasons.join('; ') } : {}) };
}

async function buildRequest(set: GoldenSet, c: GoldenCase, endpointKind: 'chat' | 'completions'): Promise<GenerationRequest> {
  const text = casePromptText(set, c);
  const base = {
    stream: true,
    maxTokens: set.max_tokens ?? DEFAULT_ACCURACY_MAX_TOKENS,
    temperature: set.temperature,
    ...(set.seed !== undefined ? { seed: set.seed } : {}),
  };
  if (endpointKind === 'completions') {
    if (c.modality === 'image') throw new Error(`golden case ${c.id} has an image, but the completions endpoint takes no images (${c.source})`);
    return { ...base, prompt: set.system_prompt ? `${set.system_prompt}\n\n${text}` : text };
  }
  const messages: ChatMessage[] = [];
  if (set.system_prompt) messages.push({ role: 'system', content: set.system_prompt });
  if (c.modality === 'image') {
    const url = c.image ? await loadImageDataUrl(c.image) : c.image_url!;
    const parts: ContentPart[] = [
      { type: 'image_url', image_url: { url } },
      { type: 'text', text },
    ];
    messages.push({ role: 'user', content: parts });
  } else {
    messages.push({ role: 'user', content: text });
  }
  return { ...base, messages };
}

export async function runGoldenSet(target: BenchTarget, set: GoldenSet, signal?: AbortSignal): Promise<GoldenRun> {
  const { runnable, skipped, skipReason } = partitionCases(set, target);
  const requests = await Promise.all(runnable.map((c) => buildRequest(set, c, target.endpoint.kind)));
  const total = runnable.length * set.trials;
  const measurement = await measure(target, 'accuracy', {
    name: 'golden',
    scenario: { name: 'golden', inputTokens: 0, outputTokens: set.max_tokens ?? DEFAULT_ACCURACY_MAX_TOKENS },
    concurrency: Math.max(1, Math.min(target.plan.accuracy.concurrency, total)),
    requests: total,
    warmup: 0,
    signal,
    // Request i is case i % n, trial floor(i / n): every case gets its first answer before any second trial.
    requestsOverride: (i) => ({ ...requests[i % runnable.length]! }),
  });
  const byIndex = new Map<number, RequestRecord>();
  for (const r of measurement.records) byIndex.set(Number(r.id.slice(r.id.lastIndexOf('-') + 1)), r);

  const results = new Map<string, AccuracyCaseResult[]>();
  const answers = new Map<string, string[]>();
  for (let i = 0; i < total; i++) {
    const c = runnable[i % runnable.length]!;
    const trial = Math.floor(i / runnable.length);
    const rec = byIndex.get(i);
    const answer = rec?.outputText ?? '';
    const result = scoreCase(c, answer, {
      set,
      trial,
      ...(rec && !rec.ok ? { error: `${rec.error?.kind}${rec.error?.status ? ` ${rec.error.status}` : ''}: ${rec.error?.message}` } : {}),
      ...(!rec ? { error: 'no response recorded (run cancelled?)' } : {}),
      latencyMs: rec?.ok && rec.tEnd !== undefined ? rec.tEnd - rec.tSend : null,
      finishReason: rec?.finishReason ?? null,
      ...(rec?.promptTokens !== undefined ? { promptTokens: rec.promptTokens } : {}),
      ...(rec?.completionTokens !== undefined ? { completionTokens: rec.completionTokens } : {}),
    });
    results.set(c.id, [...(results.get(c.id) ?? []), result]);
    answers.set(c.id, [...(answers.get(c.id) ?? []), answer]);
  }
  const aggregate = aggregateAccuracy([...results.values()].flat(), set, skipReason ? { skipReason } : {});
  return { set, runnable, skipped, ...(skipReason ? { skipReason } : {}), measurement, results, answers, aggregate };
}
