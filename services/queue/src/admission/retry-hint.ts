import type { RetryHintConfig } from './pool-config';

/** Weight of the newest hold time in the moving average: recent enough to follow load, smooth enough to not jump. */
const EWMA_WEIGHT = 0.2;

/**
 * Estimates when a refused or shed request is worth retrying.
 *
 * A pool serves about `maxConcurrent / averageHoldMs` leases per millisecond (Little's law), so the backlog
 * now waiting, plus the caller itself, drains in about `averageHoldMs * (waiting + 1) / maxConcurrent`.
 * That is the hint, clamped to [minMs, maxMs]. Hold time is an exponentially weighted moving average of
 * lease hold times (release or lapse), per pool, seeded with `initialHoldMs` until the first one is seen.
 */
export class RetryHint {
  private averageHoldMs: number;

  constructor(private readonly config: RetryHintConfig) {
    this.averageHoldMs = config.initialHoldMs;
  }

  get averageHold(): number {
    return this.averageHoldMs;
  }

  recordHold(holdMs: number): void {
    this.averageHoldMs += EWMA_WEIGHT * (Math.max(0, holdMs) - this.averageHoldMs);
  }

  retryAfterMs(waiting: number, maxConcurrent: number): number {
    const drainMs = (this.averageHoldMs * (waiting + 1)) / maxConcurrent;
    return Math.min(this.config.maxMs, Math.max(this.config.minMs, Math.ceil(drainMs)));
  }
}
