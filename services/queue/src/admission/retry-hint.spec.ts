import { RetryHint } from './retry-hint';

describe('RetryHint', () => {
  const config = { minMs: 100, maxMs: 10_000, initialHoldMs: 1_000 };

  it('estimates the time for the backlog plus the caller to drain at the observed hold time', () => {
    const hint = new RetryHint(config);
    // 9 waiting + the caller, 5 slots, 1 s per lease: two rounds of one second.
    expect(hint.retryAfterMs(9, 5)).toBe(2_000);
  });

  it('follows recent hold times with a moving average', () => {
    const hint = new RetryHint(config);
    hint.recordHold(3_000);
    expect(hint.averageHold).toBeCloseTo(1_400);
    expect(hint.retryAfterMs(0, 1)).toBe(1_400);
  });

  it('clamps the hint to the configured bounds', () => {
    const hint = new RetryHint(config);
    expect(hint.retryAfterMs(0, 1_000)).toBe(100);
    expect(hint.retryAfterMs(1_000, 1)).toBe(10_000);
  });
});
