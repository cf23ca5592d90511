import { SlidingWindowLoad } from './sliding-window-load';

function fakeClock(start = 1_700_000_000_000) {
  const clock = { t: start, now: () => clock.t, advance: (ms: number) => (clock.t += ms) };
  return clock;
}

describe('SlidingWindowLoad', () => {
  it('sums the tokens and requests recorded within the window', () => {
    const clock = fakeClock();
    const load = new SlidingWindowLoad({ clock });
    load.record('eastus', 1_000);
    clock.advance(30_000);
    load.record('eastus', 500);
    load.record('westus', 7, 2);
    expect(load.tokens('eastus')).toBe(1_500);
    expect(load.requests('eastus')).toBe(2);
    expect(load.tokens('westus')).toBe(7);
    expect(load.requests('westus')).toBe(2);
    expect(load.tokens('eastasia')).toBe(0);
  });

  it('forgets traffic once it is older than the window, bucket by bucket', () => {
    const clock = fakeClock(0);
    const load = new SlidingWindowLoad({ clock, windowMs: 60_000, bucketMs: 1_000 });
    load.record('eastus', 1_000);
    clock.advance(30_000);
    load.record('eastus', 500);
    clock.advance(29_999);
    expect(load.tokens('eastus')).toBe(1_500);
    clock.advance(1);
    expect(load.tokens('eastus')).toBe(500);
    clock.advance(30_000);
    expect(load.tokens('eastus')).toBe(0);
  });

  it('reuses a ring slot for new traffic without carrying the old bucket over', () => {
    const clock = fakeClock(0);
    const load = new SlidingWindowLoad({ clock, windowMs: 10_000, bucketMs: 1_000 });
    load.record('eastus', 100);
    clock.advance(10_000);
    load.record('eastus', 1);
    expect(load.tokens('eastus')).toBe(1);
  });

  it('counts a reservation at once and replaces the estimate with actual usage when settled', () => {
    const clock = fakeClock();
    const load = new SlidingWindowLoad({ clock });
    const reservation = load.reserve('eastus', 1_000);
    expect(load.tokens('eastus')).toBe(1_000);
    expect(load.requests('eastus')).toBe(1);
    clock.advance(2_500);
    reservation.settle(1_300);
    expect(load.tokens('eastus')).toBe(1_300);
    reservation.settle(0);
    expect(load.tokens('eastus')).toBe(1_300);
  });

  it('drops the correction when the reserved bucket has already left the window', () => {
    const clock = fakeClock();
    const load = new SlidingWindowLoad({ clock, windowMs: 10_000 });
    const reservation = load.reserve('eastus', 1_000);
    clock.advance(10_000);
    load.record('eastus', 50);
    reservation.settle(0);
    expect(load.tokens('eastus')).toBe(50);
  });

  it('estimates how long until old buckets bring the window under a limit', () => {
    const clock = fakeClock(0);
    const load = new SlidingWindowLoad({ clock });
    load.record('eastus', 600);
    clock.advance(10_000);
    load.record('eastus', 300);
    clock.advance(5_000);
    expect(load.msUntilBelow('eastus', 1_000)).toBe(0);
    // The 600-token bucket (t=0) leaves the window at t=60 s, i.e. 45 s from now.
    expect(load.msUntilBelow('eastus', 800)).toBe(45_000);
    expect(load.msUntilBelow('eastus', 100)).toBe(55_000);
    expect(load.msUntilBelow('eastus', Infinity, 2)).toBe(45_000);
  });

  it('refuses a bucket wider than the window', () => {
    expect(() => new SlidingWindowLoad({ clock: fakeClock(), windowMs: 1_000, bucketMs: 2_000 })).toThrow(RangeError);
  });
});
