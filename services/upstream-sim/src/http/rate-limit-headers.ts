import type { RateSnapshot } from '../simulator';

/** OpenAI's x-ratelimit-* headers, sent with every model answer (success or 429). */
export function rateLimitHeaders(rate: RateSnapshot): Record<string, string> {
  const reset = formatDuration(rate.resetMs);
  return {
    'x-ratelimit-limit-requests': String(rate.limitRequests),
    'x-ratelimit-limit-tokens': String(rate.limitTokens),
    'x-ratelimit-remaining-requests': String(rate.remainingRequests),
    'x-ratelimit-remaining-tokens': String(rate.remainingTokens),
    'x-ratelimit-reset-requests': reset,
    'x-ratelimit-reset-tokens': reset,
  };
}

/** `retry-after` in whole seconds (rounded up, as clients must not retry early) and the exact `retry-after-ms`. */
export function retryAfterHeaders(retryAfterMs: number): Record<string, string> {
  const ms = Math.max(1, Math.ceil(retryAfterMs));
  return { 'retry-after': String(Math.ceil(ms / 1000)), 'retry-after-ms': String(ms) };
}

/** OpenAI's duration format: `20ms`, `1.5s`, `1m0s`. */
export function formatDuration(ms: number): string {
  const rounded = Math.max(0, Math.ceil(ms));
  if (rounded < 1000) return `${rounded}ms`;
  const seconds = rounded / 1000;
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${+(seconds - minutes * 60).toFixed(3)}s`;
}
