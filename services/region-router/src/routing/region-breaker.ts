import type { Clock } from '@switchyard/service-kit/clock';
import {
  CircuitState,
  CountBreaker,
  circuitBreaker,
  handleWhenResult,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IHalfOpenAfterBackoffContext,
} from 'cockatiel';

export interface BreakerOptions {
  /** The breaker opens when more than this share of the recent requests failed (0 < ratio < 1). */
  failureRatio: number;
  /** ...and at least this many requests are in the sample, so two unlucky calls cannot open it. */
  minimumRequests: number;
  /** How many recent requests the ratio is taken over. */
  windowRequests: number;
  /** How long the breaker stays open before one probe is let through; doubles after each failed probe. */
  halfOpenAfterMs: number;
  /** Upper bound of that doubling. */
  maxHalfOpenAfterMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = {
  failureRatio: 0.5,
  minimumRequests: 10,
  windowRequests: 20,
  halfOpenAfterMs: 5_000,
  maxHalfOpenAfterMs: 60_000,
};

export type BreakerState = 'closed' | 'open' | 'half-open';

/** How an attempt counts for the breaker: `neutral` outcomes (429, 4xx, the caller's deadline) say nothing about health. */
export type BreakerVerdict = 'success' | 'failure' | 'neutral';

/** One call the breaker let through; report its verdict exactly once. */
export interface BreakerPass {
  /** True when this call is the half-open probe. */
  readonly probe: boolean;
  /** Resolves once the breaker has taken the verdict into account (it may have opened or closed). */
  finish(verdict: BreakerVerdict, description: string): Promise<void>;
}

interface Verdict {
  verdict: BreakerVerdict;
  description: string;
  probe: boolean;
}

/** Thrown inside the policy for neutral verdicts: cockatiel leaves unhandled errors out of its failure ratio. */
class NeutralVerdict extends Error {}

/**
 * The circuit breaker of one region, on cockatiel's CircuitBreakerPolicy with a CountBreaker (failure ratio
 * over the last N requests, with a minimum sample). The router asks `canPass()` while choosing and calls
 * `pass()` in the same synchronous step, so two concurrent choices can never both become the half-open probe.
 *
 * cockatiel times the open period with Date.now(); `clock` must agree with it (the system clock, or jest's
 * modern fake timers, which fake both).
 */
export class RegionBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;
  private openForMs = 0;
  /** Times the breaker opened (including re-opening after a failed probe). */
  opens = 0;
  /** Why it last opened, for ListRegions ("6 of 10 recent requests failed; last: http 500"). */
  openReason = '';

  constructor(
    private readonly clock: Clock,
    private readonly options: BreakerOptions,
  ) {
    const counts = new CountBreaker({
      threshold: options.failureRatio,
      size: options.windowRequests,
      minimumNumberOfCalls: Math.min(options.minimumRequests, options.windowRequests),
    });
    this.policy = circuitBreaker(handleWhenResult((result) => (result as Verdict).verdict === 'failure'), {
      breaker: counts,
      halfOpenAfter: { next: (context) => this.backoff(context.attempt) },
    });
    this.policy.onBreak((reason) => {
      this.opens += 1;
      this.openedAt = this.clock.now();
      const last = 'value' in reason ? (reason.value as Verdict) : undefined;
      if (last?.probe) {
        this.openReason = `half-open probe failed (${last.description}); next probe in ${this.openForMs} ms`;
        return;
      }
      // CountBreaker's serialisable state is its public view of the sample it just judged.
      const sample = counts.state as { failures?: number; successes?: number };
      const total = (sample.failures ?? 0) + (sample.successes ?? 0);
      this.openReason = `${sample.failures ?? '?'} of ${total} recent requests failed (last: ${last?.description ?? 'unknown'})`;
    });
  }

  state(): BreakerState {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }

  /** When an open breaker lets its probe through; undefined unless open. */
  probeAt(): number | undefined {
    return this.state() === 'open' ? this.openedAt + this.openForMs : undefined;
  }

  /** Closed, or open with its wait over (the next call becomes the probe). Half-open: the probe is still out. */
  canPass(): boolean {
    const state = this.state();
    if (state === 'closed') return true;
    if (state === 'half-open') return false;
    return this.clock.now() >= this.openedAt + this.openForMs;
  }

  /** Lets one call through, or returns undefined when the breaker refuses it (open, or a probe is already out). */
  pass(): BreakerPass | undefined {
    if (!this.canPass()) return undefined;
    const probe = this.state() === 'open';
    let report!: (verdict: Verdict) => void;
    const verdict = new Promise<Verdict>((resolve) => (report = resolve));
    const settled = this.policy
      .execute(() =>
        verdict.then((v) => {
          if (v.verdict === 'neutral') throw new NeutralVerdict();
          return v;
        }),
      )
      .then(
        () => undefined,
        () => undefined,
      );
    // cockatiel moves an open breaker to half-open synchronously inside execute(); if it did not, its own
    // clock says the wait is not over yet and it has already refused the call.
    if (probe && this.state() !== 'half-open') return undefined;
    let finished = false;
    return {
      probe,
      finish: async (v, description) => {
        if (finished) return;
        finished = true;
        report({ verdict: v, description, probe });
        await settled;
      },
    };
  }

  private backoff(attempt: number): IBackoff<IHalfOpenAfterBackoffContext> {
    const duration = Math.min(this.options.maxHalfOpenAfterMs, this.options.halfOpenAfterMs * 2 ** Math.max(0, attempt - 1));
    this.openForMs = duration;
    return { duration, next: (context) => this.backoff(context.attempt) };
  }
}
