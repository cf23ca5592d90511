import type { BucketCharge, BucketOutcome, RateLimitStore } from '../limits';

/** Told when the shared store stops answering and when it answers again (not on every request). */
export interface FallbackObserver {
  fellBack(err: unknown): void;
  recovered(): void;
}

/**
 * The fleet-wide store while it answers; this replica's own count while it does not. Limits then hold per
 * replica (at most the limit times the replica count) instead of disappearing or failing every request.
 */
export class FallbackRateLimitStore implements RateLimitStore {
  private degraded = false;

  constructor(
    private readonly shared: RateLimitStore,
    private readonly local: RateLimitStore,
    private readonly observer: FallbackObserver,
  ) {}

  take(charges: readonly BucketCharge[], now: number): Promise<BucketOutcome[]> {
    return this.attempt((store) => store.take(charges, now));
  }

  adjust(charge: BucketCharge, now: number): Promise<void> {
    return this.attempt((store) => store.adjust(charge, now));
  }

  private async attempt<T>(run: (store: RateLimitStore) => Promise<T>): Promise<T> {
    try {
      const result = await run(this.shared);
      if (this.degraded) {
        this.degraded = false;
        this.observer.recovered();
      }
      return result;
    } catch (err) {
      if (!this.degraded) {
        this.degraded = true;
        this.observer.fellBack(err);
      }
      return run(this.local);
    }
  }
}
