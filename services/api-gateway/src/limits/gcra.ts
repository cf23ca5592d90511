/**
 * The generic cell rate algorithm (GCRA) for one bucket, in milliseconds. A bucket allows `limit` units per
 * `periodMs`, all of them at once if it was idle, and one more every `periodMs / limit` after that. Its whole
 * state is one number, the theoretical arrival time (TAT): the moment the bucket would be empty again. That
 * makes the check-and-charge a single read and write, which Redis runs atomically in Lua (store/redis-rate-limit-store.ts
 * holds the same arithmetic) and memory runs in one synchronous step.
 */
export interface BucketSpec {
  limit: number;
  periodMs: number;
}

export interface BucketVerdict {
  allowed: boolean;
  /** TAT to store when the charge is made. */
  newTat: number;
  /** Units still available after this charge (or now, when refused). */
  remaining: number;
  /** Wait before the same charge would be allowed; 0 when allowed. */
  retryAfterMs: number;
}

export function gcraCheck(bucket: BucketSpec, storedTat: number | undefined, cost: number, now: number): BucketVerdict {
  const interval = bucket.periodMs / bucket.limit;
  const tat = Math.max(storedTat ?? now, now);
  const newTat = tat + cost * interval;
  const excess = newTat - now - bucket.periodMs;
  if (excess > 0) {
    return { allowed: false, newTat: tat, remaining: remainingAt(bucket, tat, now), retryAfterMs: Math.ceil(excess) };
  }
  return { allowed: true, newTat, remaining: remainingAt(bucket, newTat, now), retryAfterMs: 0 };
}

/** Charges (or, negative, credits) `delta` units without a check: usage that is known only afterwards. */
export function gcraAdjust(bucket: BucketSpec, storedTat: number | undefined, delta: number, now: number): number {
  const interval = bucket.periodMs / bucket.limit;
  return Math.max(now, Math.max(storedTat ?? now, now) + delta * interval);
}

function remainingAt(bucket: BucketSpec, tat: number, now: number): number {
  const interval = bucket.periodMs / bucket.limit;
  return Math.max(0, Math.floor((bucket.periodMs - (tat - now)) / interval + 1e-9));
}
