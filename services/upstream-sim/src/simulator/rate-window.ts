import type { Clock } from '@switchyard/service-kit/clock';

export const RATE_WINDOW_MS = 60_000;

export interface RateLimits {
  tokensPerMinute: number;
  requestsPerMinute: number;
}

/** What the x-ratelimit-* headers report. */
export interface RateSnapshot {
  limitTokens: number;
  limitRequests: number;
  remainingTokens: number;
  remainingRequests: number;
  /** Tokens and requests admitted in the current window. */
  usedTokens: number;
  usedRequests: number;
  /** Time until the whole window has drained (0 when it is empty). */
  resetMs: number;
}

export type Admission =
  | { admitted: true; snapshot: RateSnapshot }
  | {
      admitted: false;
      limitedBy: 'tokens' | 'requests';
      /** When a retry of the same request would be admitted, if nothing else arrives meanwhile. */
      retryAfterMs: number;
      requestedTokens: number;
      /** The request alone needs more tokens than a whole window allows; waiting will not help. */
      tooLarge: boolean;
      snapshot: RateSnapshot;
    };

interface Entry {
  at: number;
  tokens: number;
}

/**
 * Tokens-per-minute and requests-per-minute limits over a sliding window, like the quota of one
 * OpenAI/Azure deployment. A request is charged its whole token cost when admitted; rejected requests cost nothing.
 */
export class SlidingRateWindow {
  private entries: Entry[] = [];
  private head = 0;
  private usedTokens = 0;

  constructor(
    private limits: RateLimits,
    private readonly clock: Clock,
    private readonly windowMs = RATE_WINDOW_MS,
  ) {}

  tryAdmit(tokens: number): Admission {
    const now = this.clock.now();
    this.prune(now);
    const usedRequests = this.entries.length - this.head;
    if (tokens > this.limits.tokensPerMinute) {
      return this.reject(now, 'tokens', this.windowMs, tokens, true);
    }
    if (usedRequests + 1 > this.limits.requestsPerMinute) {
      return this.reject(now, 'requests', this.expiresIn(this.entries[this.head]!, now), tokens, false);
    }
    if (this.usedTokens + tokens > this.limits.tokensPerMinute) {
      const excess = this.usedTokens + tokens - this.limits.tokensPerMinute;
      return this.reject(now, 'tokens', this.tokensFreeIn(excess, now), tokens, false);
    }
    this.entries.push({ at: now, tokens });
    this.usedTokens += tokens;
    return { admitted: true, snapshot: this.snapshotAt(now) };
  }

  snapshot(): RateSnapshot {
    const now = this.clock.now();
    this.prune(now);
    return this.snapshotAt(now);
  }

  setLimits(limits: RateLimits): void {
    this.limits = limits;
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.usedTokens = 0;
  }

  private reject(
    now: number,
    limitedBy: 'tokens' | 'requests',
    retryAfterMs: number,
    requestedTokens: number,
    tooLarge: boolean,
  ): Admission {
    return {
      admitted: false,
      limitedBy,
      retryAfterMs: Math.max(1, retryAfterMs),
      requestedTokens,
      tooLarge,
      snapshot: this.snapshotAt(now),
    };
  }

  /** Time until the oldest entries have freed at least `needed` tokens. */
  private tokensFreeIn(needed: number, now: number): number {
    let freed = 0;
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      freed += entry.tokens;
      if (freed >= needed) return this.expiresIn(entry, now);
    }
    return this.windowMs;
  }

  private expiresIn(entry: Entry, now: number): number {
    return entry.at + this.windowMs - now;
  }

  private snapshotAt(now: number): RateSnapshot {
    const usedRequests = this.entries.length - this.head;
    const newest = this.entries[this.entries.length - 1];
    return {
      limitTokens: this.limits.tokensPerMinute,
      limitRequests: this.limits.requestsPerMinute,
      remainingTokens: Math.max(0, this.limits.tokensPerMinute - this.usedTokens),
      remainingRequests: Math.max(0, this.limits.requestsPerMinute - usedRequests),
      usedTokens: this.usedTokens,
      usedRequests,
      resetMs: usedRequests === 0 || newest === undefined ? 0 : this.expiresIn(newest, now),
    };
  }

  private prune(now: number): void {
    while (this.head < this.entries.length && this.entries[this.head]!.at + this.windowMs <= now) {
      this.usedTokens -= this.entries[this.head]!.tokens;
      this.head++;
    }
    // Compact now and then so the array does not grow without bound under steady traffic.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
