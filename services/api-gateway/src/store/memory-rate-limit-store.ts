import { gcraAdjust, gcraCheck, type BucketCharge, type BucketOutcome, type RateLimitStore } from '../limits';

/**
 * Bucket states in this replica's memory: exact for one replica, and what every replica falls back to when
 * Redis is not configured or not answering. Keys are per tenant, so the map is bounded by the tenants in API_KEYS.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly tats = new Map<string, number>();

  async take(charges: readonly BucketCharge[], now: number): Promise<BucketOutcome[]> {
    const verdicts = charges.map((charge) => gcraCheck(charge, this.tats.get(charge.key), charge.cost, now));
    const allowed = verdicts.every((v) => v.allowed);
    if (allowed) {
      charges.forEach((charge, i) => this.tats.set(charge.key, verdicts[i]!.newTat));
      return verdicts.map((v) => ({ allowed: true, remaining: v.remaining, retryAfterMs: 0 }));
    }
    // Nothing was charged, so every bucket reports what it has left as it is.
    return charges.map((charge, i) => ({
      allowed: false,
      remaining: gcraCheck(charge, this.tats.get(charge.key), 0, now).remaining,
      retryAfterMs: verdicts[i]!.retryAfterMs,
    }));
  }

  async adjust(charge: BucketCharge, now: number): Promise<void> {
    this.tats.set(charge.key, gcraAdjust(charge, this.tats.get(charge.key), charge.cost, now));
  }
}
