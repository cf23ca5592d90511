import type { Clock } from '@switchyard/service-kit/clock';

export interface SlidingWindowOptions {
  clock: Clock;
  /** How far back traffic counts towards load; 60 s matches per-minute (TPM/RPM) capacities. */
  windowMs?: number;
  /** Bucket width; memory and the cost of a read are O(windowMs / bucketMs), independent of traffic. */
  bucketMs?: number;
}

/** Tokens counted at dispatch time, corrected once the upstream reports real usage. */
export interface Reservation {
  readonly region: string;
  readonly estimatedTokens: number;
  /** Replaces the estimate with `actualTokens`; only the first call counts. */
  settle(actualTokens: number): void;
}

class RegionBuckets {
  readonly stamps: Float64Array;
  readonly tokens: Float64Array;
  readonly requests: Float64Array;

  constructor(size: number) {
    this.stamps = new Float64Array(size).fill(-1);
    this.tokens = new Float64Array(size);
    this.requests = new Float64Array(size);
  }
}

/**
 * Tokens and requests per region over a sliding window, kept in a ring of fixed-width buckets.
 * A bucket is reused once its time has left the window, so old traffic decays without a sweep.
 */
export class SlidingWindowLoad {
  readonly windowMs: number;
  readonly bucketMs: number;
  private readonly size: number;
  private readonly clock: Clock;
  private readonly regions = new Map<string, RegionBuckets>();

  constructor(options: SlidingWindowOptions) {
    this.clock = options.clock;
    this.windowMs = options.windowMs ?? 60_000;
    this.bucketMs = options.bucketMs ?? 1_000;
    if (!(this.windowMs > 0) || !(this.bucketMs > 0) || this.bucketMs > this.windowMs) {
      throw new RangeError(`window ${this.windowMs} ms / bucket ${this.bucketMs} ms: need 0 < bucket <= window`);
    }
    this.size = Math.ceil(this.windowMs / this.bucketMs);
  }

  /** Adds traffic that already happened (or is certain) to the current bucket. */
  record(region: string, tokens: number, requests = 1): void {
    const index = this.currentIndex();
    const slot = this.slotFor(region, index);
    const buckets = this.buckets(region);
    buckets.tokens[slot] += tokens;
    buckets.requests[slot] += requests;
  }

  /**
   * Counts one request and `estimatedTokens` now, so concurrent choices see this dispatch before it finishes.
   * The correction at settle time goes into the bucket the reservation was made in, so usage stays attributed
   * to when it was sent; if that bucket has already left the window there is nothing left to correct.
   */
  reserve(region: string, estimatedTokens: number): Reservation {
    const index = this.currentIndex();
    const slot = this.slotFor(region, index);
    const buckets = this.buckets(region);
    buckets.tokens[slot] += estimatedTokens;
    buckets.requests[slot] += 1;
    let settled = false;
    return {
      region,
      estimatedTokens,
      settle: (actualTokens: number) => {
        if (settled) return;
        settled = true;
        if (buckets.stamps[slot] !== index) return;
        buckets.tokens[slot] = Math.max(0, buckets.tokens[slot] + actualTokens - estimatedTokens);
      },
    };
  }

  tokens(region: string): number {
    return this.sum(region, 'tokens');
  }

  requests(region: string): number {
    return this.sum(region, 'requests');
  }

  /**
   * How long until the region's window holds fewer than `maxTokens` tokens and `maxRequests` requests,
   * assuming no new traffic: old buckets leave the window one by one.
   */
  msUntilBelow(region: string, maxTokens: number, maxRequests = Infinity): number {
    const buckets = this.regions.get(region);
    if (!buckets) return 0;
    const now = this.clock.now();
    const oldest = this.currentIndex() - this.size + 1;
    const live: number[] = [];
    let tokens = 0;
    let requests = 0;
    for (let slot = 0; slot < this.size; slot++) {
      if (buckets.stamps[slot] >= oldest) {
        live.push(slot);
        tokens += buckets.tokens[slot];
        requests += buckets.requests[slot];
      }
    }
    if (tokens < maxTokens && requests < maxRequests) return 0;
    live.sort((a, b) => buckets.stamps[a] - buckets.stamps[b]);
    let waitMs = 0;
    for (const slot of live) {
      tokens -= buckets.tokens[slot];
      requests -= buckets.requests[slot];
      waitMs = (buckets.stamps[slot] + this.size) * this.bucketMs - now;
      if (tokens < maxTokens && requests < maxRequests) break;
    }
    return Math.max(0, waitMs);
  }

  private sum(region: string, field: 'tokens' | 'requests'): number {
    const buckets = this.regions.get(region);
    if (!buckets) return 0;
    const oldest = this.currentIndex() - this.size + 1;
    let total = 0;
    for (let slot = 0; slot < this.size; slot++) {
      if (buckets.stamps[slot] >= oldest) total += buckets[field][slot];
    }
    return total;
  }

  private currentIndex(): number {
    return Math.floor(this.clock.now() / this.bucketMs);
  }

  /** The slot for bucket `index`, cleared first if it still holds a bucket that has left the window. */
  private slotFor(region: string, index: number): number {
    const buckets = this.buckets(region);
    const slot = index % this.size;
    if (buckets.stamps[slot] !== index) {
      buckets.stamps[slot] = index;
      buckets.tokens[slot] = 0;
      buckets.requests[slot] = 0;
    }
    return slot;
  }

  private buckets(region: string): RegionBuckets {
    let buckets = this.regions.get(region);
    if (!buckets) {
      buckets = new RegionBuckets(this.size);
      this.regions.set(region, buckets);
    }
    return buckets;
  }
}
