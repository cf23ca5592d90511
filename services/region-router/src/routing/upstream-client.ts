export type ChatRole = 'system' | 'developer' | 'user' | 'assistant';

export const CHAT_ROLES: readonly ChatRole[] = ['system', 'developer', 'user', 'assistant'];

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface UpstreamCompletionRequest {
  model: string;
  messages: readonly ChatMessage[];
  temperature: number;
  /** 0 leaves the limit to the upstream. */
  maxTokens: number;
}

export interface UpstreamCompletion {
  content: string;
  inputTokens: number;
  outputTokens: number;
  finishReason: string;
}

export interface UpstreamEmbeddingRequest {
  model: string;
  inputs: readonly string[];
}

export interface UpstreamEmbeddings {
  /** One vector per input, in input order. */
  vectors: number[][];
  inputTokens: number;
}

/** Per-attempt limits the dispatcher passes down: the caller's cancellation and the time left to the deadline. */
export interface UpstreamCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** The OpenAI-compatible endpoint of one region; `region` is a configured region name. */
export interface UpstreamClient {
  complete(region: string, request: UpstreamCompletionRequest, options?: UpstreamCallOptions): Promise<UpstreamCompletion>;
  embed(region: string, request: UpstreamEmbeddingRequest, options?: UpstreamCallOptions): Promise<UpstreamEmbeddings>;
}

/**
 * A failed upstream call. `status` is the HTTP status, absent for network failures and timeouts.
 * The message never carries credentials.
 */
export class UpstreamError extends Error {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { status?: number; retryAfterMs?: number } = {}) {
    super(message);
    this.name = 'UpstreamError';
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** 429, 5xx and network failures may succeed in another region; other statuses are about the request. */
  get retriable(): boolean {
    return this.status === undefined || this.status === 429 || this.status === 408 || this.status >= 500;
  }
}
