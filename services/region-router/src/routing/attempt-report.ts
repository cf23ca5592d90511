import type { RateLimitReport } from './rate-limit-report';

/**
 * How one upstream attempt ended. `timeout` is the attempt's own limit (its share of the deadline, or
 * UPSTREAM_TIMEOUT_MS); `deadline` is the request's deadline passing, which says nothing about the region.
 */
export type AttemptOutcome = 'ok' | 'throttled' | 'server_error' | 'network' | 'timeout' | 'deadline' | 'cancelled' | 'rejected';

export interface AttemptReport {
  outcome: AttemptOutcome;
  durationMs: number;
  /** HTTP status of the upstream answer, when there was one. */
  httpStatus?: number;
  /** From `retry-after-ms` / `retry-after` on a 429. */
  retryAfterMs?: number;
  rateLimit?: RateLimitReport;
  /** Short, credential-free words for logs and spans: "http 503", "no answer within 1500 ms". */
  description: string;
}

/** What the router concluded from an attempt, for the attempt's span and the item's route. */
export interface AttemptEffects {
  /** Cool-down applied after a 429. */
  cooldownMs?: number;
  breakerOpened: boolean;
  breakerClosed: boolean;
  /** The same in words, e.g. "cooling down 2000 ms (retry-after)"; '' when nothing changed. */
  note: string;
}

/** 5xx, network failures and timeouts say the region is unwell; 429s, 4xx and the caller's own limits do not. */
export function breakerVerdict(outcome: AttemptOutcome): 'success' | 'failure' | 'neutral' {
  switch (outcome) {
    case 'ok':
      return 'success';
    case 'server_error':
    case 'network':
    case 'timeout':
      return 'failure';
    default:
      return 'neutral';
  }
}
