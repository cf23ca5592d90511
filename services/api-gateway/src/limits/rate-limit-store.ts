import type { BucketSpec } from './gcra';

/** One bucket of one charge: which state (`key`), its rate, and what this request costs. */
export interface BucketCharge extends BucketSpec {
  key: string;
  cost: number;
}

export interface BucketOutcome {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
}

/**
 * Where bucket states live: one replica's memory, or Redis for the whole fleet. Both run the same GCRA
 * arithmetic (gcra.ts); `now` comes from the caller's clock so tests control time for both.
 */
export interface RateLimitStore {
  /** Atomically: if every bucket allows its cost, charge them all; otherwise charge none. One outcome per bucket. */
  take(charges: readonly BucketCharge[], now: number): Promise<BucketOutcome[]>;
  /** Charges `cost` (negative: credits) to one bucket without checking it. */
  adjust(charge: BucketCharge, now: number): Promise<void>;
}
