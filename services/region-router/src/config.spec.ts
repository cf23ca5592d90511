import { ConfigError, loadConfig } from '@switchyard/service-kit';
import { regionRouterConfigSchema } from './config';

const load = (env: Record<string, string>) => loadConfig('region-router', regionRouterConfigSchema, env);

describe('region-router config', () => {
  it('runs with no settings: four simulated regions, no residency limits, breaker defaults', () => {
    const config = load({});
    expect(config.REGIONS.map((r) => r.name)).toEqual(['eastus', 'westus', 'westeurope', 'eastasia']);
    expect(config.TENANT_REGIONS).toEqual({});
    expect(config).toMatchObject({ REGION_BREAKER_FAILURE_RATIO: 0.5, REGION_BREAKER_MIN_REQUESTS: 10, REGION_ATTEMPT_DEADLINE_SHARE: 0.5 });
  });

  it('reads per-tenant residency and Azure deployments', () => {
    const config = load({
      TENANT_REGIONS: JSON.stringify({ 'acme-eu': ['westeurope'], '*': ['eastus', 'westus'] }),
      REGIONS: JSON.stringify([
        { name: 'eastus', baseUrl: 'https://e.test/v1', capacityTpm: 1 },
        { name: 'westus', baseUrl: 'https://w.test/v1', capacityTpm: 1 },
        { name: 'westeurope', baseUrl: 'https://weu.test', provider: 'azure', apiVersion: '2024-10-21', capacityTpm: 1, deployments: { 'gpt-4o-mini': 'mini-prod' } },
      ]),
    });
    expect(config.TENANT_REGIONS['acme-eu']).toEqual(['westeurope']);
    expect(config.REGIONS[2]!.deployments).toEqual({ 'gpt-4o-mini': 'mini-prod' });
  });

  it('stops start-up when residency names a region that is not configured', () => {
    expect(() => load({ TENANT_REGIONS: JSON.stringify({ 'acme-eu': ['northeurope'] }) })).toThrow(ConfigError);
    expect(() => load({ TENANT_REGIONS: JSON.stringify({ 'acme-eu': ['northeurope'] }) })).toThrow(
      /TENANT_REGIONS: tenant "acme-eu" names region "northeurope", which is not in REGIONS/,
    );
    expect(() => load({ TENANT_REGIONS: JSON.stringify({ 'acme-eu': [] }) })).toThrow(/at least one allowed region/);
  });

  it('refuses breaker settings that cannot work together', () => {
    expect(() => load({ REGION_BREAKER_MIN_REQUESTS: '30', REGION_BREAKER_WINDOW_REQUESTS: '20' })).toThrow(/REGION_BREAKER_MIN_REQUESTS: must not exceed/);
    expect(() => load({ REGION_BREAKER_FAILURE_RATIO: '1' })).toThrow(/REGION_BREAKER_FAILURE_RATIO/);
  });
});
