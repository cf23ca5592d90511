import { seededRandom, type RandomSource } from '@switchyard/service-kit/seeded-random';

/** Behaviour that tests change at run time (POST /admin/faults). */
export interface Faults {
  /** Probability (0..1) that a model request fails with `errorStatus`. */
  errorRate: number;
  errorStatus: number;
  /** Latency before the first output token, replacing the configured base latency. */
  latencyMs: number;
  /** Answer every model request with 429 as if the quota were used up. */
  throttle: boolean;
  /** Probability (0..1) that a model request is answered 429 anyway: a partial 429 storm. */
  throttleRate: number;
  /** The retry-after that throttled answers carry. */
  throttleRetryAfterMs: number;
  /** Probability (0..1) that a model request is held open and never answered until the client gives up. */
  hangRate: number;
}

/** Faults a region starts with when nothing is configured. */
export const NO_FAULTS: Omit<Faults, 'latencyMs' | 'errorRate' | 'errorStatus'> = {
  throttle: false,
  throttleRate: 0,
  throttleRetryAfterMs: 1000,
  hangRate: 0,
};

/**
 * Current faults plus the seeded PRNG that decides which requests fail, so a test that sends the same
 * requests in the same order sees the same failures on every run.
 */
export class FaultState {
  private faults: Faults;
  private random: RandomSource;

  constructor(
    private readonly initial: Faults,
    private readonly seed: number,
  ) {
    this.faults = { ...initial };
    this.random = seededRandom(seed);
  }

  current(): Faults {
    return { ...this.faults };
  }

  update(patch: Partial<Faults>): Faults {
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<Faults>;
    this.faults = { ...this.faults, ...defined };
    return this.current();
  }

  /** Back to the configured faults and the start of the PRNG sequence. */
  reset(): void {
    this.faults = { ...this.initial };
    this.random = seededRandom(this.seed);
  }

  /** The status to fail this request with, or undefined to let it through. Draws only when errors are enabled. */
  drawError(): number | undefined {
    return this.draw(this.faults.errorRate) ? this.faults.errorStatus : undefined;
  }

  /** Whether this request is throttled: always while `throttle` is on, else with probability `throttleRate`. */
  drawThrottle(): boolean {
    return this.faults.throttle || this.draw(this.faults.throttleRate);
  }

  drawHang(): boolean {
    return this.draw(this.faults.hangRate);
  }

  // A rate of 0 draws nothing, so enabling one fault does not shift the sequence another one sees.
  private draw(rate: number): boolean {
    if (rate <= 0) return false;
    if (rate >= 1) return true;
    return this.random() < rate;
  }
}
