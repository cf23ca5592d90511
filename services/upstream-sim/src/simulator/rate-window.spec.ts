import { SlidingRateWindow } from './rate-window';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('SlidingRateWindow', () => {
  it('admits requests until the tokens-per-minute limit and rejects the one that would exceed it', () => {
    const clock = fakeClock();
    const window = new SlidingRateWindow({ tokensPerMinute: 100, requestsPerMinute: 1000 }, clock);
    expect(window.tryAdmit(60).admitted).toBe(true);
    expect(window.tryAdmit(40).admitted).toBe(true);
    const rejected = window.tryAdmit(1);
    expect(rejected).toMatchObject({ admitted: false, limitedBy: 'tokens', tooLarge: false, requestedTokens: 1 });
    expect(rejected.snapshot).toMatchObject({ usedTokens: 100, remainingTokens: 0, usedRequests: 2 });
  });

  it('says to retry when enough of the oldest tokens leave the window', () => {
    const clock = fakeClock();
    const window = new SlidingRateWindow({ tokensPerMinute: 100, requestsPerMinute: 1000 }, clock);
    window.tryAdmit(30); // t=0
    clock.advance(10_000);
    window.tryAdmit(30); // t=10s
    clock.advance(10_000);
    window.tryAdmit(40); // t=20s, window full
    clock.advance(5_000); // t=25s
    // 50 more tokens need the first two entries to expire: the second leaves at t=70s, 45s from now.
    const rejected = window.tryAdmit(50);
    expect(rejected).toMatchObject({ admitted: false, retryAfterMs: 45_000 });
    clock.advance(44_999);
    expect(window.tryAdmit(50).admitted).toBe(false);
    clock.advance(1);
    expect(window.tryAdmit(50).admitted).toBe(true);
  });

  it('rejects beyond the requests-per-minute limit until the oldest request leaves the window', () => {
    const clock = fakeClock();
    const window = new SlidingRateWindow({ tokensPerMinute: 1_000_000, requestsPerMinute: 2 }, clock);
    window.tryAdmit(1);
    clock.advance(1_000);
    window.tryAdmit(1);
    const rejected = window.tryAdmit(1);
    expect(rejected).toMatchObject({ admitted: false, limitedBy: 'requests', retryAfterMs: 59_000 });
    expect(rejected.snapshot.remainingRequests).toBe(0);
    clock.advance(59_000);
    expect(window.tryAdmit(1).admitted).toBe(true);
  });

  it('does not charge rejected requests', () => {
    const clock = fakeClock();
    const window = new SlidingRateWindow({ tokensPerMinute: 10, requestsPerMinute: 10 }, clock);
    window.tryAdmit(10);
    window.tryAdmit(5);
    window.tryAdmit(5);
    expect(window.snapshot()).toMatchObject({ usedTokens: 10, usedRequests: 1 });
  });

  it('marks a request larger than the whole window as too large', () => {
    const window = new SlidingRateWindow({ tokensPerMinute: 10, requestsPerMinute: 10 }, fakeClock());
    expect(window.tryAdmit(11)).toMatchObject({ admitted: false, limitedBy: 'tokens', tooLarge: true, retryAfterMs: 60_000 });
  });

  it('frees everything after a full window and reports when it resets', () => {
    const clock = fakeClock();
    const window = new SlidingRateWindow({ tokensPerMinute: 100, requestsPerMinute: 100 }, clock);
    window.tryAdmit(50);
    clock.advance(20_000);
    window.tryAdmit(50);
    expect(window.snapshot()).toMatchObject({ usedTokens: 100, remainingTokens: 0, resetMs: 60_000 });
    clock.advance(40_000);
    expect(window.snapshot()).toMatchObject({ usedTokens: 50, usedRequests: 1, resetMs: 20_000 });
    clock.advance(20_000);
    expect(window.snapshot()).toMatchObject({ usedTokens: 0, usedRequests: 0, remainingTokens: 100, resetMs: 0 });
  });

  it('keeps exact accounting across many requests (compaction)', () => {
    const clock = fakeClock();
    const window = new SlidingRateWindow({ tokensPerMinute: 1_000_000, requestsPerMinute: 1_000_000 }, clock);
    for (let i = 0; i < 5_000; i++) {
      window.tryAdmit(2);
      clock.advance(30);
    }
    // Now is t=150 s; requests made after t=90 s (numbers 3001..4999) are still inside the window.
    expect(window.snapshot()).toMatchObject({ usedRequests: 1999, usedTokens: 3998 });
  });

  it('clear() empties the window', () => {
    const window = new SlidingRateWindow({ tokensPerMinute: 10, requestsPerMinute: 10 }, fakeClock());
    window.tryAdmit(10);
    window.clear();
    expect(window.tryAdmit(10).admitted).toBe(true);
  });
});
