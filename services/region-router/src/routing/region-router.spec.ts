import { FailedPrecondition, ResourceExhausted } from '@switchyard/service-kit/errors';
import { defaultRegions } from './region-config';
import { RegionRouter, type RegionRouterOptions } from './region-router';

function fakeClock(start = 1_700_000_000_000) {
  const clock = { t: start, now: () => clock.t, advance: (ms: number) => (clock.t += ms) };
  return clock;
}

function setup(overrides: Partial<RegionRouterOptions> = {}) {
  const clock = fakeClock();
  const router = new RegionRouter({ regions: defaultRegions((n) => `http://${n}.test/v1`), clock, ...overrides });
  return { clock, router };
}

describe('RegionRouter', () => {
  it('measures load as tokens in the window over the capacity', () => {
    const { router } = setup();
    router.reserve('eastus', 40_000).settle(40_000);
    router.reserve('eastasia', 10_000);
    expect(router.load('eastus')).toBeCloseTo(0.5);
    expect(router.load('eastasia')).toBeCloseTo(0.25);
    expect(router.load('westus')).toBe(0);
  });

  it('routes away from a busy user region and back once its traffic slides out of the window', () => {
    const { clock, router } = setup();
    router.reserve('eastus', 70_000);
    expect(router.choose('eastus').region).toBe('westus');
    clock.advance(60_000);
    expect(router.load('eastus')).toBe(0);
    expect(router.choose('eastus').region).toBe('eastus');
  });

  it('makes a reservation visible to the next choice before the first request finishes', () => {
    const { router } = setup();
    router.reserve('eastus', 56_000);
    const first = router.choose('eastus');
    expect(first.region).toBe('eastus');
    router.reserve(first.region, 10_000);
    expect(router.choose('eastus').region).toBe('westus');
  });

  it('scales per-minute capacity to the window and counts requests against capacityRpm', () => {
    const clock = fakeClock();
    const router = new RegionRouter({
      clock,
      windowMs: 10_000,
      regions: [{ name: 'eastus', baseUrl: 'http://e.test', provider: 'openai', capacityTpm: 60_000, capacityRpm: 60 }],
    });
    router.reserve('eastus', 5_000);
    expect(router.load('eastus')).toBeCloseTo(0.5);
    for (let i = 0; i < 8; i++) router.reserve('eastus', 0);
    expect(router.load('eastus')).toBeCloseTo(0.9);
  });

  it('estimates retry-after from the window when every region is saturated', () => {
    const { clock, router } = setup({ regions: defaultRegions(() => 'http://x.test').slice(0, 1) });
    router.reserve('eastus', 40_000);
    clock.advance(20_000);
    router.reserve('eastus', 40_000);
    clock.advance(5_000);
    let caught: unknown;
    try {
      router.choose('eastus');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ResourceExhausted);
    // The first 40k leave the window 60 s after they were sent: 35 s from now.
    expect((caught as ResourceExhausted).retryAfterMs).toBe(35_000);
  });

  it('cools a region down for retry-after after a 429, default 1 s, capped by maxCooldownMs', () => {
    const { clock, router } = setup({ health: { maxCooldownMs: 5_000 } });
    expect(router.recordThrottle('eastus', 2_000)).toBe(2_000);
    expect(router.choose('eastus').region).not.toBe('eastus');
    clock.advance(1_999);
    expect(router.choose('eastus').region).not.toBe('eastus');
    clock.advance(1);
    expect(router.choose('eastus').region).toBe('eastus');
    expect(router.recordThrottle('westus', undefined)).toBe(1_000);
    expect(router.recordThrottle('eastasia', 3_600_000)).toBe(5_000);
  });

  it('opens a breaker after consecutive failures and re-opens on a failed trial', () => {
    const { clock, router } = setup({ health: { breakerFailures: 3, breakerCooldownMs: 10_000 } });
    router.recordFailure('eastus');
    router.recordFailure('eastus');
    router.recordSuccess('eastus', 100);
    router.recordFailure('eastus');
    router.recordFailure('eastus');
    expect(router.cooldownMsLeft('eastus')).toBe(0);
    router.recordFailure('eastus');
    expect(router.cooldownMsLeft('eastus')).toBe(10_000);
    clock.advance(10_000);
    expect(router.cooldownMsLeft('eastus')).toBe(0);
    router.recordFailure('eastus');
    expect(router.cooldownMsLeft('eastus')).toBe(10_000);
  });

  it('restricts the choice to allowed regions (data residency)', () => {
    const { router } = setup();
    expect(router.choose('eastus', { allowed: ['westeurope'] }).region).toBe('westeurope');
    expect(() => router.choose('eastus', { allowed: ['mars'] })).toThrow(FailedPrecondition);
  });

  it('reports stats per region', () => {
    const { clock, router } = setup({ health: { latencyEwmaAlpha: 0.5 } });
    router.reserve('eastus', 1_000).settle(800);
    router.recordSuccess('eastus', 100);
    router.reserve('eastus', 1_000).settle(1_200);
    router.recordSuccess('eastus', 300);
    router.reserve('eastus', 500).settle(0);
    router.recordThrottle('eastus', 1_500);
    router.reserve('westus', 100).settle(0);
    router.recordFailure('westus');
    clock.advance(500);
    const stats = Object.fromEntries(router.stats().map((s) => [s.region, s]));
    expect(stats.eastus).toEqual({
      region: 'eastus',
      capacityTpm: 80_000,
      capacityRpm: undefined,
      load: 2_000 / 80_000,
      windowTokens: 2_000,
      windowRequests: 3,
      requests: 3,
      errors: 0,
      throttled: 1,
      latencyEwmaMs: 200,
      cooldownMsLeft: 1_000,
    });
    expect(stats.westus).toMatchObject({ requests: 1, errors: 1, throttled: 0, latencyEwmaMs: undefined, cooldownMsLeft: 0 });
    expect(Object.keys(stats)).toEqual(['eastus', 'westus', 'westeurope', 'eastasia']);
  });

  it('rejects thresholds out of order', () => {
    expect(() => setup({ preferThreshold: 0.95, saturationThreshold: 0.9 })).toThrow(RangeError);
  });
});
