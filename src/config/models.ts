/**
 * models.yaml: the zod schemas (the single source of truth; schema/models.schema.json is generated
 * from them), the normalised types the rest of the suite reads, and `endpointOf`.
 *
 * Every field of the older tool's models.yaml is accepted unchanged (`name`, `hf_repo`, `port`,
 * `role`, `task_type`, `quantization`, `dtype`, `vram_estimate_gb`, `hardware_min`, `notes` and its
 * `benchmarks:` block). Objects are strict: an unknown key is an error with a "did you mean" hint,
 * never a silently ignored setting. Cross-field rules (unique names, baseline exists, port or
 * base_url, ...) live in validate.ts because they need the whole file.
 */
import { z } from 'zod';
import type { Endpoint, EndpointKind, Provider } from '../client/types.ts';
import { simModelSchema } from '../sim/config.ts';
import { thresholdsBlockSchema } from './thresholds.ts';
import { LEGACY_BENCHMARK_KEYS, type LegacyKey } from './vocabulary.ts';

export const PROVIDERS = ['vllm', 'sglang', 'llamacpp', 'tgi', 'lmdeploy', 'ollama', 'openai', 'sim'] as const satisfies readonly Provider[];
export const ENDPOINT_KINDS = ['chat', 'completions'] as const satisfies readonly EndpointKind[];
/** `text_only` is the older tool's name for `llm`; both mean a text-only model. */
export const TASK_TYPES = ['vlm', 'text_only', 'llm'] as const;
export const MODALITIES = ['text', 'image'] as const;

export type TaskType = (typeof TASK_TYPES)[number];
export type Modality = (typeof MODALITIES)[number];

const positiveInt = z.number().int().positive();
const seconds = z.number().positive();

function legacyThresholds(keys: Readonly<Record<string, LegacyKey>>, what: string) {
  const shape: Record<string, z.ZodOptional<z.ZodNumber>> = {};
  for (const [key, def] of Object.entries(keys)) shape[key] = z.number().optional().describe(def.description);
  return z.strictObject(shape).optional().describe(`${what} (the older tool's keys; k6-style expressions go in "thresholds:")`);
}

/** The older tool's `benchmarks:` block, plus the few parameters the plan needs. All optional: profiles fill the rest. */
export const benchmarksSchema = z
  .strictObject({
    accuracy: z
      .strictObject({
        skip_for_task_type: z.array(z.enum(TASK_TYPES)).optional().describe('Skip the accuracy dimension for models of these task types (the older tool: [text_only]).'),
        golden_file: z.string().min(1).optional().describe('Golden set file, relative to the project root. @default golden/expectations.json'),
        thresholds: legacyThresholds(LEGACY_BENCHMARK_KEYS.accuracy, 'accuracy thresholds; override the golden acceptance_criteria'),
      })
      .optional()
      .describe('Accuracy dimension: golden cases scored on category, entities, facts and forbidden outputs.'),
    ttft: z
      .strictObject({
        samples: positiveInt.optional().describe('Measured requests per scenario at concurrency 1 (the older tool: 5, too few for a p95; profiles raise it).'),
        thresholds: legacyThresholds(LEGACY_BENCHMARK_KEYS.ttft, 'latency thresholds'),
      })
      .optional()
      .describe('Latency dimension (the older tool called it ttft).'),
    throughput: z
      .strictObject({
        duration_s: seconds.optional().describe('Length of the sustained-load run in seconds (the older tool: 60).'),
        concurrency: positiveInt.optional().describe('Concurrency of the sustained-load run. @default the highest concurrency level'),
        thresholds: legacyThresholds(LEGACY_BENCHMARK_KEYS.throughput, 'throughput thresholds'),
      })
      .optional()
      .describe('Throughput dimension.'),
    concurrency: z
      .strictObject({
        concurrencies: z.array(positiveInt).min(1).optional().describe('Concurrency levels of the sweep (the older tool: [1, 5, 10, 30, 50]).'),
        duration_s: seconds.optional().describe('Seconds per level (the older tool: 60).'),
        thresholds: legacyThresholds(LEGACY_BENCHMARK_KEYS.concurrency, 'concurrency thresholds'),
      })
      .optional()
      .describe('Concurrency dimension: the sweep.'),
    stability: z
      .strictObject({
        duration_s: seconds.optional().describe('Length of the soak in seconds (the older tool: 1800).'),
        window_s: seconds.optional().describe('Length of the first and last windows compared for drift, seconds. @default 300 in the full profile'),
        concurrency: positiveInt.optional().describe('Concurrency held during the soak.'),
        thresholds: legacyThresholds(LEGACY_BENCHMARK_KEYS.stability, 'stability thresholds'),
      })
      .optional()
      .describe('Stability dimension: the soak.'),
    token_budget: z
      .strictObject({
        samples: positiveInt.optional().describe('Requests whose token counts are analysed.'),
        thresholds: legacyThresholds(LEGACY_BENCHMARK_KEYS.token_budget, 'token-budget thresholds'),
      })
      .optional()
      .describe('Token-budget dimension: token distributions, truncation, context overflow, cost.'),
    slo: z
      .strictObject({
        ttft_ms: z.number().positive().optional().describe('A request is "good" only if its TTFT is at most this (ms). @default 2000'),
        tpot_ms: z.number().positive().optional().describe('A request is "good" only if its TPOT is at most this (ms). @default 100'),
      })
      .optional()
      .describe('Service-level objectives used for goodput and for the highest load within SLO.'),
  })
  .describe("Per-dimension parameters and thresholds in the older tool's format.")
  .meta({ id: 'Benchmarks' });

export const priceSchema = z
  .strictObject({
    input_per_million: z.number().min(0).describe('Price of one million input (prompt) tokens.'),
    output_per_million: z.number().min(0).describe('Price of one million output (completion) tokens.'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as USD').default('USD').describe('ISO 4217 currency code. @default USD'),
  })
  .describe('Token prices, for cost per request and per million tokens.')
  .meta({ id: 'Price' });

export const launchSchema = z
  .strictObject({
    command: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe('Command that starts the server: a shell string, or an argv list run without a shell.'),
    cwd: z.string().min(1).optional().describe('Working directory. @default the project root'),
    env: z.record(z.string(), z.string()).optional().describe('Extra environment variables for the command.'),
    ready_url: z.string().optional().describe('URL polled until it answers 2xx. @default the model base_url'),
    timeout_s: seconds.default(600).describe('Seconds to wait for readiness before failing (model loading is slow). @default 600'),
  })
  .describe('A server the global setup starts before the run and stops (by its own process id) afterwards.')
  .meta({ id: 'Launch' });

/** Fields of a model entry that `defaults:` may also set. Identity fields are per model only. */
const sharedModelFields = {
  enabled: z.boolean().default(true).describe('Benchmark this model when no model is named on the command line. @default true'),
  provider: z.enum(PROVIDERS).default('vllm').describe('Server kind; sim is the built-in simulator. @default vllm'),
  port: z.number().int().min(1).max(65535).optional().describe('Port on localhost; base_url defaults to http://localhost:{port}/v1.'),
  base_url: z.string().optional().describe('OpenAI-compatible base URL ending in /v1, e.g. https://api.example.com/v1. Wins over port.'),
  role: z.string().optional().describe('Free-form role, e.g. primary, baseline, flagship.'),
  task_type: z.enum(TASK_TYPES).optional().describe('vlm (text + image), text_only or llm (text). @default vlm when modalities include image, else llm'),
  quantization: z.string().optional().describe('Quantisation as served, e.g. BF16, FP8, AWQ (informational).'),
  dtype: z.string().optional().describe('Weight dtype, e.g. bfloat16 (informational).'),
  vram_estimate_gb: z.number().positive().optional().describe('Estimated GPU memory in GB (informational).'),
  hardware_min: z.string().optional().describe('Minimum hardware, e.g. 1xH100 (informational).'),
  notes: z.string().optional().describe('Free-form notes shown in reports.'),
  api_key_env: z.string().optional().describe('Name of the environment variable holding the API key (never the key itself).'),
  endpoint: z.enum(ENDPOINT_KINDS).default('chat').describe('chat (/v1/chat/completions) or completions (/v1/completions). @default chat'),
  modalities: z.array(z.enum(MODALITIES)).min(1).optional().describe('Input modalities to test. @default [text, image] for task_type vlm, else [text]'),
  max_model_len: positiveInt.optional().describe('Context length in tokens; read from GET /v1/models when the server reports it.'),
  extra_body: z.record(z.string(), z.unknown()).optional().describe('Merged into every request body, e.g. {chat_template_kwargs: {enable_thinking: false}}.'),
  headers: z.record(z.string(), z.string()).optional().describe('Extra HTTP headers. Put API keys in api_key_env, not here.'),
  price: priceSchema.optional(),
  launch: launchSchema.optional(),
  sim: simModelSchema.meta({ id: 'Sim' }).optional().describe('Simulator behaviour; required when provider is sim (`sim: {}` for defaults).'),
};

export const modelEntrySchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'must start with a letter or digit and contain only letters, digits and . _ : / -')
      .describe('Unique model name; also the Vitest project name (npm test -- --project <name>).'),
    hf_repo: z.string().optional().describe('Hugging Face repository, e.g. Qwen/Qwen3-VL-8B-Instruct; sent as the request model unless served_model_name is set.'),
    served_model_name: z.string().optional().describe('Name the server serves the model under (vLLM --served-model-name). @default hf_repo, else name'),
    baseline: z.string().optional().describe('Name of another model this one is compared against ("can it replace the baseline?").'),
    unix_socket: z
      .string()
      .optional()
      .describe('Absolute path of a Unix domain socket the server listens on (vLLM --uds, llama-server --host /path.sock); requests go through it instead of TCP. base_url then gives only the path. @default base_url http://localhost/v1'),
    ...sharedModelFields,
    benchmarks: benchmarksSchema.optional().describe('Per-model overrides of the top-level benchmarks block (merged key by key).'),
    thresholds: thresholdsBlockSchema.optional().describe('Per-model k6-style thresholds; replace global ones on the same metric and aggregation.'),
  })
  .describe('One served model to benchmark.');

/** `defaults:` is applied under every model entry (the entry wins; mappings merge key by key). */
const defaultsShape: Record<string, z.ZodType> = {};
for (const [key, schema] of Object.entries(sharedModelFields)) {
  // Defaults of the entry schema apply after merging; here every field is simply optional.
  const inner = schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema;
  defaultsShape[key] = schema.description ? inner.optional().describe(schema.description) : inner.optional();
}
export const modelDefaultsSchema = z
  .strictObject(defaultsShape)
  .describe('Fields applied to every model entry unless the entry sets them.');

export const modelsFileSchema = z
  .strictObject({
    defaults: modelDefaultsSchema.optional(),
    benchmarks: benchmarksSchema.optional(),
    thresholds: thresholdsBlockSchema
      .optional()
      .describe('k6-style thresholds for every model, e.g. {ttft: ["p(95) < 2000"], errors: ["rate < 0.05"]}.'),
    models: z.array(modelEntrySchema).min(1).describe('The models to benchmark.'),
  })
  .describe('infer-bench models.yaml');

export type BenchmarksConfig = z.output<typeof benchmarksSchema>;
export type PriceConfig = z.output<typeof priceSchema>;
export type LaunchConfig = z.output<typeof launchSchema>;
/** A model entry as the schema outputs it, before normaliseEntry derives base_url, task_type and modalities. */
export type ParsedModelEntry = z.output<typeof modelEntrySchema>;

/** A validated model entry with every default applied. */
export type ModelEntry = Omit<ParsedModelEntry, 'base_url' | 'task_type' | 'modalities'> & {
  /**
   * Always set: `base_url` as written (trailing slash removed), else `http://localhost:{port}/v1`
   * (`http://localhost/v1` with `unix_socket`).
   * A simulated model without either gets `http://127.0.0.1:0/v1` (port 0: the global setup
   * starts the simulator on a free port and replaces it).
   */
  base_url: string;
  /** @default vlm when modalities include image, else llm */
  task_type: TaskType;
  /** @default [text, image] for task_type vlm, else [text] */
  modalities: Modality[];
};

/** The whole validated file. */
export interface ModelsConfig {
  /** The file it was loaded from, as shown in messages and threshold sources (e.g. `models.yaml`). */
  file: string;
  models: ModelEntry[];
  benchmarks?: BenchmarksConfig;
  thresholds?: z.output<typeof thresholdsBlockSchema>;
}

/** The value sent as the request's `model`: served_model_name ?? hf_repo ?? name. */
export function requestModelName(m: Pick<ModelEntry, 'name' | 'hf_repo' | 'served_model_name'>): string {
  return m.served_model_name ?? m.hf_repo ?? m.name;
}

/** How the client reaches a model. */
export function endpointOf(m: ModelEntry): Endpoint {
  return {
    baseUrl: m.base_url,
    model: requestModelName(m),
    kind: m.endpoint,
    provider: m.provider,
    ...(m.unix_socket ? { unixSocket: m.unix_socket } : {}),
    ...(m.api_key_env ? { apiKeyEnv: m.api_key_env } : {}),
    ...(m.headers ? { headers: { ...m.headers } } : {}),
    ...(m.extra_body ? { extraBody: structuredClone(m.extra_body) } : {}),
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge for defaults and per-model overrides: mappings merge key by key, everything else is replaced. */
export function mergeDeep<T>(base: unknown, over: T): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeDeep(base[k], v) : v;
  return out as T;
}

/**
 * The benchmarks block that applies to one model: the top-level block with the model's own
 * `benchmarks:` merged over it key by key (a model setting `ttft.samples` keeps the global
 * `ttft.thresholds`).
 */
export function benchmarksFor(config: ModelsConfig, model: ModelEntry | string): BenchmarksConfig {
  const entry = typeof model === 'string' ? config.models.find((m) => m.name === model) : model;
  if (!entry) throw new Error(`benchmarksFor: no model named "${String(model)}" in ${config.file}`);
  return mergeDeep(config.benchmarks ?? {}, entry.benchmarks ?? {});
}

/** Fill the derived fields of a parsed entry (base_url, task_type, modalities). */
export function normaliseEntry(e: ParsedModelEntry): ModelEntry {
  const task_type: TaskType = e.task_type ?? (e.modalities?.includes('image') ? 'vlm' : 'llm');
  const modalities: Modality[] = e.modalities ? [...new Set(e.modalities)] : task_type === 'vlm' ? ['text', 'image'] : ['text'];
  const base_url = e.base_url
    ? e.base_url.replace(/\/+$/, '')
    : e.unix_socket !== undefined
      ? 'http://localhost/v1'
      : e.port !== undefined
        ? `http://localhost:${e.port}/v1`
        : 'http://127.0.0.1:0/v1';
  return { ...e, base_url, task_type, modalities };
}
