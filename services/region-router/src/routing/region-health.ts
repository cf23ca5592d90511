import type { Clock } from './clock';

export interface RegionHealthOptions {
  /** Weight of the newest latency sample in the moving average. */
  latencyEwmaAlpha?: number;
  /** Cool-down after a 429 that carried no retry-after. */
  defaultRetryAfterMs?: number;
  /** Upper bound on any cool-down, so a bogus retry-after cannot take a region out for long. */
  maxCooldownMs?: number;
  /** Consecutive 5xx/network failures that open the breaker (take the region out for `breakerCooldownMs`). */
  breakerFailures?: number;
  breakerCooldownMs?: number;
}

export const DEFAULT_HEALTH_OPTIONS: Required<RegionHealthOptions> = {
  latencyEwmaAlpha: 0.2,
  defaultRetryAfterMs: 1_000,
  maxCooldownMs: 60_000,
  breakerFailures: 5,
  breakerCooldownMs: 10_000,
};

/**
 * What one region's upstream has told us lately: throttling (cool-down), failures (breaker), latency.
 * Counters are lifetime totals so they can feed monotonic metrics.
 */
export class RegionHealth {
  requests = 0;
  errors = 0;
  throttled = 0;
  latencyEwmaMs: number | undefined;
  private cooldownUntil = 0;
  private consecutiveFailures = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: Required<RegionHealthOptions>,
  ) {}

  recordAttempt(): void {
    this.requests += 1;
  }

  recordSuccess(latencyMs: number): void {
    this.consecutiveFailures = 0;
    const alpha = this.options.latencyEwmaAlpha;
    this.latencyEwmaMs =
      this.latencyEwmaMs === undefined ? latencyMs : alpha * latencyMs + (1 - alpha) * this.latencyEwmaMs;
  }

  /** A 429: keep traffic away until the upstream said to come back. Returns the cool-down applied. */
  recordThrottle(retryAfterMs: number | undefined): number {
    this.throttled += 1;
    const wait = Math.min(Math.max(0, retryAfterMs ?? this.options.defaultRetryAfterMs), this.options.maxCooldownMs);
    this.coolDownFor(wait);
    return wait;
  }

  /**
   * A 5xx or network failure. Once the breaker has opened, the first attempt after the cool-down is a trial:
   * the count is only reset by a success, so one more failure re-opens it at once.
   */
  recordFailure(): void {
    this.errors += 1;
    this.consecutiveFailures += 1;
    if (this.consecutiveFailures >= this.options.breakerFailures) this.coolDownFor(this.options.breakerCooldownMs);
  }

  cooldownMsLeft(): number {
    return Math.max(0, this.cooldownUntil - this.clock.now());
  }

  private coolDownFor(ms: number): void {
    this.cooldownUntil = Math.max(this.cooldownUntil, this.clock.now() + ms);
  }
}
