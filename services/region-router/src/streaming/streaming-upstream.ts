import type { RateLimitReport, UpstreamCompletionRequest } from '../routing';

/** A piece of a streamed answer: text as it arrives, then one `end` with the usage. */
export type StreamPart = { type: 'delta'; content: string } | { type: 'end'; finishReason: string; inputTokens: number; outputTokens: number };

/** An upstream stream that has been accepted (HTTP 200): its parts are read as they arrive. */
export interface OpenedStream {
  parts: AsyncIterable<StreamPart>;
  /** The upstream's x-ratelimit-* headers, for the router's load (as non-streamed answers report them). */
  rateLimit?: RateLimitReport;
}

export interface StreamOpenOptions {
  /**
   * Aborts the whole stream: the opening (the attempt's own limit and the caller) and later the reading (the
   * caller, the request deadline). The opening is bounded by the failover's attempt timer, not by the stream's life.
   */
  signal: AbortSignal;
}

/** The streaming side of one region's OpenAI-compatible endpoint. */
export interface StreamingUpstream {
  /** Resolves once the upstream accepted the request; rejects with an UpstreamError otherwise. */
  openStream(region: string, request: UpstreamCompletionRequest, options: StreamOpenOptions): Promise<OpenedStream>;
}
