import { regionV1 } from '@switchyard/contracts';
import { waitUntil } from '@switchyard/testing';
import { SteadyLoad, startFaultStack, type FaultStack, type LoadResult } from './fault-stack';

jest.setTimeout(90_000);

const { REGION_STATE_HEALTHY: HEALTHY, REGION_STATE_COOLING: COOLING, REGION_STATE_OPEN: OPEN, REGION_STATE_HALF_OPEN: HALF_OPEN } = regionV1.RegionState;

interface Observation {
  /** When the answer arrived, on this machine's clock (the router's clock too). */
  at: number;
  status: regionV1.RegionStatus;
}

/** Polls ListRegions for one region until `done` holds, keeping every answer for assertions over the whole period. */
async function observe(stack: FaultStack, name: string, done: (s: regionV1.RegionStatus) => boolean, timeoutMs = 20_000): Promise<Observation[]> {
  const seen: Observation[] = [];
  await waitUntil(
    async () => {
      const status = await stack.region(name);
      seen.push({ at: Date.now(), status });
      return done(status);
    },
    `region ${name} did not reach the expected state`,
    timeoutMs,
    15,
  );
  return seen;
}

const served = (results: LoadResult[], region: string, after = 0) => results.filter((r) => r.ok && r.region === region && r.startedAt >= after);

describe('region router under upstream faults: four simulated regions, steady load, real processes', () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack(
      [{ name: 'eastus' }, { name: 'westus' }, { name: 'westeurope' }, { name: 'northeurope', azureDeployments: { 'gpt-4o-mini': 'mini-eu', 'text-embedding-3-small': 'embed-eu' } }],
      {
        REGION_BREAKER_MIN_REQUESTS: '4',
        REGION_BREAKER_WINDOW_REQUESTS: '8',
        REGION_BREAKER_FAILURE_RATIO: '0.5',
        REGION_BREAKER_HALF_OPEN_AFTER_MS: '1000',
        REGION_BREAKER_MAX_HALF_OPEN_AFTER_MS: '4000',
      },
    );
  });

  afterAll(async () => {
    await stack?.stop();
  });

  afterEach(async () => {
    await stack.resetAll();
  });

  it('moves traffic off a region answering 429 for its retry-after, then brings it back; no caller sees an error', async () => {
    const load = new SteadyLoad(stack.router, { workers: 3, userRegion: 'eastus', deadlineMs: 3_000 });
    await waitUntil(() => served(load.results, 'eastus').length >= 5, 'traffic reaches eastus');

    await stack.faults('eastus', { throttle: true, throttleRetryAfterMs: 1_500 });
    const before = await observe(stack, 'eastus', (s) => s.state === COOLING);
    // The storm is over as soon as the router has backed off; it must still stay away until retry-after ends.
    await stack.faults('eastus', { throttle: false });
    const first = before.at(-1)!;
    const coolingUntil = Number(first.status.coolingUntilUnixMs);
    expect(coolingUntil - first.at).toBeGreaterThan(1_000);
    expect(coolingUntil - first.at).toBeLessThanOrEqual(1_500);
    expect(first.status.stateReason).toBe('429: cooling down 1500 ms (retry-after)');

    const during = await observe(stack, 'eastus', (s) => s.state === HEALTHY && Number(s.requestsTotal) > Number(first.status.requestsTotal));
    await waitUntil(() => served(load.results, 'eastus', coolingUntil).length >= 3, 'eastus serves again after the cool-down');
    const results = await load.stop();

    // While cooling, the router started no attempt there: its attempt counter did not move.
    const cooling = during.filter((o) => o.status.state === COOLING);
    expect(cooling.length).toBeGreaterThan(10);
    for (const o of cooling) expect(o.status.requestsTotal).toBe(first.status.requestsTotal);
    // Traffic came back only once the retry-after period was over.
    expect(during.at(-1)!.at).toBeGreaterThanOrEqual(coolingUntil);
    expect(results.some((r) => r.ok && r.region !== 'eastus' && r.tried[0]?.region === 'eastus' && r.tried[0]?.outcome === 'throttled')).toBe(true);
    expect(load.failures()).toEqual([]);
  });

  it('opens the breaker of a region answering 500, keeps traffic away, and closes it with a half-open probe after recovery', async () => {
    const load = new SteadyLoad(stack.router, { workers: 3, userRegion: 'westus', deadlineMs: 3_000 });
    await waitUntil(() => served(load.results, 'westus').length >= 5, 'traffic reaches westus');

    await stack.faults('westus', { errorRate: 1, errorStatus: 500 });
    const opening = await observe(stack, 'westus', (s) => s.state === OPEN);
    const opened = opening.at(-1)!;
    expect(opened.status.stateReason).toMatch(/^\d+ of \d+ recent requests failed \(last: http 500\)$/);
    const probeAfter = Number(opened.status.probeAfterUnixMs);
    expect(probeAfter).toBeGreaterThan(opened.at);

    await stack.faults('westus', { errorRate: 0 });
    const recovering = await observe(stack, 'westus', (s) => s.state === HEALTHY);
    const closedAt = recovering.at(-1)!.at;
    await waitUntil(() => served(load.results, 'westus', closedAt).length >= 3, 'traffic returns to westus after the probe');
    const results = await load.stop();

    // Open: nothing sent there. Half-open: exactly the probe.
    const open = recovering.filter((o) => o.status.state === OPEN && Number(o.status.probeAfterUnixMs) === probeAfter);
    expect(open.length).toBeGreaterThan(10);
    for (const o of open) expect(o.status.requestsTotal).toBe(opened.status.requestsTotal);
    for (const o of recovering.filter((o) => o.status.state === HALF_OPEN)) expect(o.status.inFlight).toBeLessThanOrEqual(1);
    expect(closedAt).toBeGreaterThanOrEqual(probeAfter);
    expect(Number(recovering.at(-1)!.status.breakerOpensTotal)).toBeGreaterThanOrEqual(1);
    expect(results.some((r) => r.ok && r.tried[0]?.region === 'westus' && r.tried[0]?.outcome === 'server_error' && r.tried[0]?.httpStatus === 500)).toBe(true);
    expect(load.failures()).toEqual([]);
  });

  it('gives a hanging region only part of the deadline, fails over inside it, and opens its breaker on the timeouts', async () => {
    const deadlineMs = 2_000;
    const load = new SteadyLoad(stack.router, { workers: 3, userRegion: 'westeurope', deadlineMs });
    await waitUntil(() => served(load.results, 'westeurope').length >= 5, 'traffic reaches westeurope');

    await stack.faults('westeurope', { hangRate: 1 });
    const hangingSince = Date.now();
    await observe(stack, 'westeurope', (s) => s.state === OPEN && Number(s.timeoutsTotal) >= 4);
    await waitUntil(() => load.results.filter((r) => r.startedAt > hangingSince).length >= 30, 'traffic keeps flowing around the hang');
    const results = await load.stop();

    const timedOut = results.filter((r) => r.tried[0]?.region === 'westeurope' && r.tried[0]?.outcome === 'timeout');
    expect(timedOut.length).toBeGreaterThanOrEqual(3);
    for (const r of timedOut) {
      expect(r.ok).toBe(true);
      expect(r.region).not.toBe('westeurope');
      // Half the time left when it started, so the failover had the other half.
      expect(r.tried[0]!.durationMs).toBeLessThanOrEqual(deadlineMs / 2 + 50);
    }
    for (const r of results) expect(r.finishedAt - r.startedAt).toBeLessThan(deadlineMs);
    expect((await stack.simStats('westeurope')).hung).toBeGreaterThanOrEqual(3);
    expect(load.failures()).toEqual([]);
  });
});
