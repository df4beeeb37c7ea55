/**
 * The client's contract with the rest of the suite: what a request asks for and what one
 * observed request looks like. Timestamps are milliseconds on the monotonic clock of the process
 * that measured them (`performance.now()`); `RunHeader.timeOriginMs` anchors them to wall time.
 */

export type Provider = 'vllm' | 'sglang' | 'llamacpp' | 'tgi' | 'lmdeploy' | 'ollama' | 'openai' | 'sim';
export type EndpointKind = 'chat' | 'completions';

/** Everything needed to talk to one served model. Secrets are referenced, never held in config. */
export interface Endpoint {
  /** Base URL ending in `/v1`, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  /**
   * Connect through this Unix domain socket instead of TCP (`baseUrl` then gives only the path
   * and Host header, e.g. `http://localhost/v1`).
   */
  unixSocket?: string;
  /** Value sent as the request's `model`. */
  model: string;
  kind: EndpointKind;
  provider: Provider;
  /** Name of the environment variable holding the API key, if any. The key itself is read at send time. */
  apiKeyEnv?: string;
  headers?: Record<string, string>;
  /** Merged into every request body (e.g. vLLM `chat_template_kwargs`). */
  extraBody?: Record<string, unknown>;
}

export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | ContentPart[];
}

/** One generation request, independent of endpoint kind. */
export interface GenerationRequest {
  /** Chat endpoint input. */
  messages?: ChatMessage[];
  /** Completions endpoint input. */
  prompt?: string;
  stream: boolean;
  maxTokens?: number;
  temperature?: number;
  seed?: number;
  /** Force the output length (vLLM, SGLang, llama-server). Only sent when true. */
  ignoreEos?: boolean;
  minTokens?: number;
  /** Merged into the body after everything else. */
  extraBody?: Record<string, unknown>;
  /** Lengths the workload meant to produce, kept for mismatch reporting. */
  intendedInputTokens?: number;
  intendedOutputTokens?: number;
}

export type FailureKind =
  | 'http' // non-2xx status; `status` and the server's message are set
  | 'connect' // could not connect (refused, DNS, TLS)
  | 'header_timeout' // no response headers within the deadline
  | 'stall_timeout' // no bytes for longer than the stall deadline mid-body
  | 'connection_reset' // socket reset / closed abruptly
  | 'stream_cut' // stream ended without a finish reason or [DONE], or with a mid-stream error event
  | 'malformed_event' // an SSE data line that is not valid JSON or lacks the expected shape
  | 'empty_output' // completed but produced no tokens
  | 'aborted'; // cancelled by the caller's AbortSignal

export interface RequestFailure {
  kind: FailureKind;
  /** HTTP status, for `http` and for mid-stream error events that carry a code. */
  status?: number;
  /** The server's own message where it gave one; never contains secrets. */
  message: string;
  /** Seconds from a `Retry-After` header, when present. */
  retryAfterS?: number;
}

/** One observed request. Written as one JSON line per request to the run's records file. */
export interface RequestRecord {
  /** Unique within a run. */
  id: string;
  ok: boolean;
  error?: RequestFailure;
  /** Warm-up requests are recorded but excluded from results. */
  warmup?: boolean;
  /** When the scheduler meant to send it (open loop: the arrival time; closed loop: = tSend). */
  tSched: number;
  /** Just before the request bytes are written. */
  tSend: number;
  /** Response headers received. */
  tHeaders?: number;
  /** First SSE chunk with a non-empty `choices` array (TTFC). */
  tFirstChunk?: number;
  /** First event carrying a non-empty generated token on any channel (TTFT). */
  tFirstToken?: number;
  /** First non-reasoning output token (TTFO). */
  tFirstOutput?: number;
  /** Last token-bearing event. */
  tEnd?: number;
  /** Stream closed or [DONE]. */
  tClose?: number;
  /** Time of every token-bearing event, in order (streaming only). */
  tokenTimes: number[];
  /** Tokens carried by each token-bearing event when the server says (continuous usage stats); else absent. */
  tokensPerEvent?: number[];
  /** `usage.prompt_tokens`. */
  promptTokens?: number;
  /** `usage.completion_tokens` (includes reasoning). */
  completionTokens?: number;
  /** `usage.prompt_tokens_details.cached_tokens`. */
  cachedTokens?: number;
  /** Where the token counts came from. */
  usageSource: 'server' | 'client_estimate' | 'none';
  finishReason?: string | null;
  outputText: string;
  reasoningText?: string;
  /** Number of tool-call deltas seen. */
  toolCallEvents?: number;
  intendedInputTokens?: number;
  intendedOutputTokens?: number;
  /** Free-form tags the workload attaches (scenario, case id, concurrency level, image size). */
  tags?: Record<string, string | number>;
}

/** First line of every records file. */
export interface RunHeader {
  type: 'header';
  runId: string;
  model: string;
  test: string;
  /** `performance.timeOrigin` of the measuring process, to anchor monotonic times to wall time. */
  timeOriginMs: number;
  startedAt: string;
  seed?: number;
  params?: Record<string, unknown>;
}
