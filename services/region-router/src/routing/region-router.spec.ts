import { FailedPrecondition, ResourceExhausted } from '@switchyard/service-kit/errors';
import { defaultRegions } from './region-config';
import type { AttemptReport } from './attempt-report';
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

  /** One finished attempt on `region`: begin, then report `report`. */
  async function attempt(router: RegionRouter, region: string, report: Partial<AttemptReport> & Pick<AttemptReport, 'outcome'>, used?: number) {
    const ticket = router.begin(region, 1_000);
    if (!ticket) throw new Error(`breaker of ${region} refused the attempt`);
    return ticket.finish({ durationMs: 100, description: report.outcome, ...report }, used);
  }

  it('cools a region down for retry-after after a 429, default 1 s, capped by maxCooldownMs', async () => {
    const { clock, router } = setup({ health: { maxCooldownMs: 5_000 } });
    expect(await attempt(router, 'eastus', { outcome: 'throttled', retryAfterMs: 2_000 })).toMatchObject({ cooldownMs: 2_000, note: 'cooling down 2000 ms (retry-after)' });
    expect(router.choose('eastus').region).not.toBe('eastus');
    clock.advance(1_999);
    expect(router.choose('eastus').reason).toContain('user region eastus cooling down (1 ms left)');
    clock.advance(1);
    expect(router.choose('eastus').region).toBe('eastus');
    expect((await attempt(router, 'westus', { outcome: 'throttled' })).cooldownMs).toBe(1_000);
    expect((await attempt(router, 'eastasia', { outcome: 'throttled', retryAfterMs: 3_600_000 })).cooldownMs).toBe(5_000);
  });

  it('without retry-after, cools down until the exhausted x-ratelimit quota resets', async () => {
    const { router } = setup();
    const effects = await attempt(router, 'eastus', {
      outcome: 'throttled',
      rateLimit: { remainingRequests: 0, resetRequestsMs: 7_000, remainingTokens: 500, resetTokensMs: 30_000 },
    });
    expect(effects).toMatchObject({ cooldownMs: 7_000, note: 'cooling down 7000 ms (x-ratelimit-reset)' });
    expect(router.status().find((s) => s.region === 'eastus')).toMatchObject({ state: 'cooling', stateReason: '429: cooling down 7000 ms (x-ratelimit-reset)' });
  });

  it('counts the quota the upstream reports in use towards load, draining it until the reset', async () => {
    const { clock, router } = setup();
    await attempt(router, 'eastus', { outcome: 'ok', rateLimit: { limitTokens: 80_000, remainingTokens: 8_000, resetTokensMs: 10_000 } }, 100);
    expect(router.shares('eastus').tpmShare).toBeCloseTo(0.9);
    expect(router.choose('eastus').region).not.toBe('eastus');
    clock.advance(5_000);
    expect(router.shares('eastus').tpmShare).toBeCloseTo(0.45);
    expect(router.choose('eastus').region).toBe('eastus');
    await attempt(router, 'westus', { outcome: 'ok', rateLimit: { limitRequests: 100, remainingRequests: 0, resetRequestsMs: 1_000 } }, 10);
    expect(router.load('westus')).toBeCloseTo(1);
    expect(router.status().find((s) => s.region === 'westus')).toMatchObject({ saturated: true, quota: { remainingRequests: 0 } });
  });

  it('restricts the choice to allowed regions (data residency) and to regions serving the model', () => {
    const { router } = setup({
      regions: [
        ...defaultRegions((n) => `http://${n}.test/v1`),
        { name: 'swedencentral', baseUrl: 'https://sc.test', provider: 'azure', apiVersion: '2024-10-21', capacityTpm: 1_000, deployments: { 'gpt-4o': 'gpt4o-prod' } },
      ],
    });
    expect(router.choose('eastus', { allowed: ['westeurope'] }).region).toBe('westeurope');
    expect(() => router.choose('eastus', { allowed: ['mars'] })).toThrow(FailedPrecondition);
    expect(router.choose('swedencentral', { model: 'gpt-4o' }).region).toBe('swedencentral');
    expect(router.choose('swedencentral', { model: 'gpt-4o-mini' }).region).not.toBe('swedencentral');
    expect(() => router.choose('eastus', { allowed: ['swedencentral'], model: 'o1' })).toThrow(/model "o1" is not deployed in any region this request may use \(swedencentral\)/);
  });

  it('reports live state per region for ListRegions and the older stats', async () => {
    const { clock, router } = setup({ health: { latencyEwmaAlpha: 0.5 } });
    await attempt(router, 'eastus', { outcome: 'ok', durationMs: 100 }, 800);
    await attempt(router, 'eastus', { outcome: 'ok', durationMs: 300 }, 1_200);
    await attempt(router, 'eastus', { outcome: 'throttled', retryAfterMs: 1_500 });
    await attempt(router, 'westus', { outcome: 'server_error', httpStatus: 500 });
    await attempt(router, 'westus', { outcome: 'timeout', durationMs: 2_000 });
    const inFlight = router.begin('eastasia', 50);
    clock.advance(500);
    const status = Object.fromEntries(router.status().map((s) => [s.region, s]));
    expect(status.eastus).toMatchObject({
      state: 'cooling',
      coolingUntil: clock.now() + 1_000,
      load: 2_000 / 80_000,
      tpmShare: 2_000 / 80_000,
      rpmShare: 0,
      windowTokens: 2_000,
      windowRequests: 3,
      requests: 3,
      errors: 0,
      throttled: 1,
      latencyEwmaMs: 200,
      inFlight: 0,
      provider: 'openai',
    });
    expect(status.westus).toMatchObject({ state: 'healthy', requests: 2, errors: 1, timeouts: 1, latencyEwmaMs: 2_000, windowTokens: 1_000 });
    expect(status.eastasia).toMatchObject({ inFlight: 1, windowTokens: 50 });
    await inFlight!.finish({ outcome: 'ok', durationMs: 10, description: 'ok' }, 40);
    expect(router.status().find((s) => s.region === 'eastasia')).toMatchObject({ inFlight: 0, windowTokens: 40 });
    const stats = Object.fromEntries(router.stats().map((s) => [s.region, s]));
    expect(stats.eastus).toMatchObject({ requests: 3, throttled: 1, cooldownMsLeft: 1_000 });
    expect(stats.westus).toMatchObject({ errors: 2 });
    expect(Object.keys(stats)).toEqual(['eastus', 'westus', 'westeurope', 'eastasia']);
  });

  describe('circuit breaker (cockatiel)', () => {
    beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
    afterEach(() => jest.useRealTimers());
    const breaker = { failureRatio: 0.5, minimumRequests: 4, windowRequests: 4, halfOpenAfterMs: 1_000, maxHalfOpenAfterMs: 3_000 };
    const live = () => new RegionRouter({ regions: defaultRegions((n) => `http://${n}.test/v1`), clock: { now: () => Date.now() }, health: { breaker } });

    it('stays closed below the minimum number of requests, opens on a failure ratio above the threshold', async () => {
      const router = live();
      for (let i = 0; i < 3; i++) await attempt(router, 'eastus', { outcome: 'server_error', httpStatus: 500, description: 'http 500' });
      expect(router.breakerState('eastus')).toBe('closed');
      const effects = await attempt(router, 'eastus', { outcome: 'network', description: 'network' });
      expect(effects).toMatchObject({ breakerOpened: true });
      expect(router.breakerState('eastus')).toBe('open');
      expect(router.status()[0]).toMatchObject({ state: 'open', stateReason: '4 of 4 recent requests failed (last: network)', probeAfter: Date.now() + 1_000, breakerOpens: 1 });
      expect(router.choose('eastus').reason).toContain('user region eastus breaker open (probe in 1000 ms)');
      expect(router.begin('eastus', 1)).toBeUndefined();
    });

    it('ignores 429s, 4xx and the caller deadline, which say nothing about the region being unwell', async () => {
      const router = live();
      for (const outcome of ['throttled', 'rejected', 'deadline', 'cancelled'] as const) {
        for (let i = 0; i < 2; i++) await attempt(router, 'westus', { outcome });
      }
      await attempt(router, 'westus', { outcome: 'server_error' });
      expect(router.breakerState('westus')).toBe('closed');
    });

    it('lets exactly one probe through after the open period and closes on its success', async () => {
      const router = live();
      for (let i = 0; i < 4; i++) await attempt(router, 'eastus', { outcome: 'timeout' });
      jest.advanceTimersByTime(1_000);
      const decision = router.choose('eastus');
      expect(decision).toMatchObject({ region: 'eastus', probe: true });
      expect(decision.reason).toContain('[half-open probe]');
      const probe = router.begin('eastus', 10)!;
      expect(probe.probe).toBe(true);
      // While the probe is out, everyone else keeps away from the region.
      expect(router.breakerState('eastus')).toBe('half-open');
      expect(router.choose('eastus').region).not.toBe('eastus');
      expect(router.begin('eastus', 10)).toBeUndefined();
      expect(await probe.finish({ outcome: 'ok', durationMs: 5, description: 'ok' }, 10)).toMatchObject({ breakerClosed: true, note: 'breaker closed after a successful probe' });
      expect(router.breakerState('eastus')).toBe('closed');
      expect(router.choose('eastus').region).toBe('eastus');
    });

    it('re-opens on a failed probe for twice as long, up to the maximum', async () => {
      const router = live();
      for (let i = 0; i < 4; i++) await attempt(router, 'eastus', { outcome: 'server_error', description: 'http 503' });
      for (const wait of [1_000, 2_000, 3_000, 3_000]) {
        expect(router.status()[0]!.probeAfter).toBe(Date.now() + wait);
        jest.advanceTimersByTime(wait - 1);
        expect(router.begin('eastus', 1)).toBeUndefined();
        jest.advanceTimersByTime(1);
        const effects = await attempt(router, 'eastus', { outcome: 'server_error', description: 'http 503' });
        expect(effects.breakerOpened).toBe(true);
      }
      expect(router.status()[0]!.stateReason).toBe('half-open probe failed (http 503); next probe in 3000 ms');
    });
  });

  it('rejects thresholds out of order', () => {
    expect(() => setup({ preferThreshold: 0.95, saturationThreshold: 0.9 })).toThrow(RangeError);
  });
});
