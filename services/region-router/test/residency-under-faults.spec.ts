import { status } from '@grpc/grpc-js';
import { countTextTokens } from '@switchyard/tokens';
import { completion, embedding, startFaultStack, type FaultStack } from './fault-stack';

jest.setTimeout(60_000);

const EU = ['westeurope', 'northeurope'];

describe('data residency: an EU-only tenant never leaves its regions, failover included', () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack(
      [{ name: 'eastus' }, { name: 'westus' }, { name: 'westeurope' }, { name: 'northeurope', azureDeployments: { 'gpt-4o-mini': 'mini-eu', 'text-embedding-3-small': 'embed-eu' } }],
      { TENANT_REGIONS: JSON.stringify({ 'acme-eu': EU }), REGION_BREAKER_MIN_REQUESTS: '4', REGION_BREAKER_WINDOW_REQUESTS: '8' },
    );
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the EU tenant in an EU region even when it calls from the US, Azure deployments included', async () => {
    const fromUs = (await stack.router.dispatch(completion('eastus', 'where am I served?', 'acme-eu'))).results[0]!;
    expect(fromUs.error).toBeUndefined();
    expect(EU).toContain(fromUs.region);
    expect(fromUs.upstream?.reason).toMatch(/user region eastus not available to this request/);

    const azure = (await stack.router.dispatch(completion('northeurope', 'hello Azure', 'acme-eu'))).results[0]!;
    expect(azure.region).toBe('northeurope');
    expect(azure.completion?.content).toMatch(/^Simulated answer from northeurope \(gpt-4o-mini\)/);

    const listed = await stack.router.listRegions({ tenant: 'acme-eu' });
    expect(listed.tenantRegions).toEqual([...EU].sort());
    expect(Object.fromEntries(listed.regions.map((r) => [r.name, r.allowedForTenant]))).toEqual({ eastus: false, westus: false, westeurope: true, northeurope: true });
    expect(listed.regions.find((r) => r.name === 'northeurope')).toMatchObject({ provider: 'azure', deployments: { 'gpt-4o-mini': 'mini-eu', 'text-embedding-3-small': 'embed-eu' } });
  });

  it('answers UNAVAILABLE, never a foreign region, when every EU region fails; other tenants in the same batch are served', async () => {
    await stack.faults('westeurope', { errorRate: 1, errorStatus: 500 });
    await stack.faults('northeurope', { errorRate: 1, errorStatus: 503 });
    const usBefore = await Promise.all(['eastus', 'westus'].map((r) => stack.simStats(r)));

    // Enough requests that the EU breakers open part-way: before, each request tries both EU regions; after,
    // the router refuses at once. Either way: UNAVAILABLE.
    for (let i = 0; i < 12; i++) {
      const [result] = (await stack.router.dispatch(completion(i % 2 ? 'eastus' : 'westeurope', `eu secret ${i}`, 'acme-eu'))).results;
      expect(result!.error?.code).toBe(status.UNAVAILABLE);
      expect(result!.region).toBe('');
      for (const attempt of result!.upstream?.tried ?? []) expect(EU).toContain(attempt.region);
    }
    const usAfter = await Promise.all(['eastus', 'westus'].map((r) => stack.simStats(r)));
    expect(usAfter.map((s) => s.requests)).toEqual(usBefore.map((s) => s.requests));
    const eu = await stack.router.listRegions({ tenant: 'acme-eu' });
    expect(eu.regions.filter((r) => EU.includes(r.name)).every((r) => Number(r.breakerOpensTotal) >= 1)).toBe(true);

    // One embedding batch mixing the EU tenant with an unrestricted one: the EU items fail, the others are
    // served in the US, and the US upstream received only the unrestricted inputs (its token count says so).
    const free = ['free text one', 'free text two, a little longer'];
    const batch = await stack.router.dispatch(
      embedding('westeurope', [
        { inputs: ['eu confidential alpha'], tenant: 'acme-eu' },
        { inputs: [free[0]!], tenant: 'free' },
        { inputs: ['eu confidential beta gamma delta'], tenant: 'acme-eu' },
        { inputs: [free[1]!], tenant: 'free' },
      ]),
    );
    const [euA, freeA, euB, freeB] = batch.results;
    expect([euA!.error?.code, euB!.error?.code]).toEqual([status.UNAVAILABLE, status.UNAVAILABLE]);
    expect(freeA!.region).toBe(freeB!.region);
    expect(['eastus', 'westus']).toContain(freeA!.region);
    const usStats = await stack.simStats(freeA!.region);
    const before = usBefore[freeA!.region === 'eastus' ? 0 : 1]!;
    expect(usStats.requests - before.requests).toBe(1);
    expect((usStats as unknown as { promptTokens: number }).promptTokens - (before as unknown as { promptTokens: number }).promptTokens).toBe(
      free.reduce((sum, text) => sum + countTextTokens(text), 0),
    );
  });
});
