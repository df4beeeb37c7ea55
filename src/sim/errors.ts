/** HTTP error bodies in the shapes real servers use (vLLM's OpenAI-style `{error: {...}}` by default). */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'BadRequestError',
    /** Extra fields merged into the `error` object (e.g. llama-server's `n_prompt_tokens`). */
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
  body(): string {
    return JSON.stringify({ error: { message: this.message, type: this.type, param: null, code: this.status, ...this.extra } });
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, message);

/** vLLM's wording when the prompt alone does not fit. */
export function vllmPromptTooLong(maxModelLen: number, promptTokens: number): HttpError {
  return badRequest(
    `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${promptTokens} input tokens. Please reduce the length of the input messages.`,
  );
}

/** vLLM's wording when prompt + max_tokens does not fit. */
export function vllmTotalTooLong(maxModelLen: number, promptTokens: number, maxTokens: number): HttpError {
  return badRequest(
    `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${maxTokens} output tokens and your prompt contains at least ${promptTokens} input tokens, for a total of at least ${promptTokens + maxTokens} tokens. Please reduce the length of the input prompt or the number of requested output tokens.`,
  );
}

/** llama-server's context error (also for stream: true, as a JSON body). */
export function llamaContextExceeded(nCtx: number, promptTokens: number): HttpError {
  return new HttpError(400, 'the request exceeds the available context size, try increasing it', 'exceed_context_size_error', {
    n_prompt_tokens: promptTokens,
    n_ctx: nCtx,
  });
}
