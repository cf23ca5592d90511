/** Highest minimum share accepted: above half, "less urgent" would effectively outrank "more urgent". */
export const MAX_MIN_SHARE_PERCENT = 50;

/**
 * Optional guard against starving less urgent work under sustained urgent load (off at 0%).
 *
 * Strict priority gives a level nothing while a more urgent one has waiters. With a minimum share of s%, every
 * floor(100 / s)-th grant made while less urgent waiters exist goes to the less urgent level whose oldest waiter
 * has waited longest, so at least s% of contended grants reach less urgent work. Grants made while nobody less
 * urgent waits do not count. The Redis store keeps the same counter in the pool's meta hash.
 */
export class MinShare {
  private credit = 0;
  private readonly every: number;

  constructor(readonly percent: number) {
    this.every = percent > 0 ? Math.floor(100 / percent) : Number.POSITIVE_INFINITY;
  }

  /** Call once per grant made while less urgent waiters exist; true means this grant is theirs. */
  owedToLessUrgent(): boolean {
    if (this.percent <= 0) return false;
    this.credit++;
    if (this.credit < this.every) return false;
    this.credit = 0;
    return true;
  }
}
