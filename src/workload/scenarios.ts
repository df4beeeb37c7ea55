/**
 * Named workload shapes: how many tokens go in and how many come out. The lengths follow the
 * common serving benchmarks (vLLM bench, GuideLLM, AIPerf presets) so results compare.
 */

export interface Scenario {
  name: string;
  description: string;
  /** Prompt length in tokens of the served model's tokenizer (chat template included for chat endpoints). */
  inputTokens: number;
  /** Output length in tokens (`max_tokens`; also forced where the provider supports it). */
  outputTokens: number;
}

export const SCENARIOS = {
  chat: {
    name: 'chat',
    description: 'Interactive assistant turn: a medium prompt and a short answer; TTFT dominates what users feel.',
    inputTokens: 512,
    outputTokens: 128,
  },
  summarisation: {
    name: 'summarisation',
    description: 'Long document in, short summary out: prefill-heavy, stresses TTFT and prompt throughput.',
    inputTokens: 1024,
    outputTokens: 128,
  },
  generation: {
    name: 'generation',
    description: 'Short instruction, long text out: decode-heavy, stresses TPOT and output throughput.',
    inputTokens: 128,
    outputTokens: 1024,
  },
  translation: {
    name: 'translation',
    description: 'Text in, text of similar length out: balanced prefill and decode.',
    inputTokens: 256,
    outputTokens: 256,
  },
  reasoning: {
    name: 'reasoning',
    description: 'Short question, very long output (reasoning traces): long decode, KV-cache growth under load.',
    inputTokens: 128,
    outputTokens: 2048,
  },
} as const satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIOS, name);
}

/** A named scenario; throws listing the known names when `name` is not one. */
export function getScenario(name: string): Scenario {
  if (!isScenarioName(name)) {
    throw new RangeError(`unknown scenario "${name}": use one of ${Object.keys(SCENARIOS).join(', ')}, or customScenario(inputTokens, outputTokens)`);
  }
  return SCENARIOS[name];
}

/** A scenario with chosen lengths; both must be positive integers. */
export function customScenario(inputTokens: number, outputTokens: number, name = 'custom', description?: string): Scenario {
  for (const [field, v] of [['inputTokens', inputTokens], ['outputTokens', outputTokens]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`custom scenario "${name}": ${field} must be a positive integer, got ${v}`);
  }
  return { name, description: description ?? `Custom: ${inputTokens} tokens in, ${outputTokens} tokens out.`, inputTokens, outputTokens };
}
