import type { RateLimitReport } from './rate-limit-report';

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
  /** The upstream's x-ratelimit-* headers on this answer, when it sent any. */
  rateLimit?: RateLimitReport;
}

export interface UpstreamEmbeddingRequest {
  model: string;
  inputs: readonly string[];
}

export interface UpstreamEmbeddings {
  /** One vector per input, in input order. */
  vectors: number[][];
  inputTokens: number;
  rateLimit?: RateLimitReport;
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

export interface UpstreamErrorDetails {
  status?: number;
  retryAfterMs?: number;
  rateLimit?: RateLimitReport;
  /** No answer within the call's timeout (as opposed to a refused or broken connection). */
  timedOut?: boolean;
}

/**
 * A failed upstream call. `status` is the HTTP status, absent for network failures and timeouts.
 * The message never carries credentials.
 */
export class UpstreamError extends Error {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly rateLimit: RateLimitReport | undefined;
  readonly timedOut: boolean;

  constructor(message: string, options: UpstreamErrorDetails = {}) {
    super(message);
    this.name = 'UpstreamError';
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.rateLimit = options.rateLimit;
    this.timedOut = options.timedOut ?? false;
  }

  /** 429, 5xx and network failures may succeed in another region; other statuses are about the request. */
  get retriable(): boolean {
    return this.status === undefined || this.status === 429 || this.status === 408 || this.status >= 500;
  }
}
