import { ConfigError, envJson, loadConfig } from '@switchyard/service-kit';
import { z } from 'zod';
import { RegionsSchema, defaultRegions, localBaseUrls } from './region-config';

const ports = { eastus: 8101, westus: 8102, westeurope: 8103, eastasia: 8104 };
const schema = z.object({ REGIONS: envJson(RegionsSchema, defaultRegions(localBaseUrls(ports))) });

describe('region config', () => {
  it("defaults to the seed's four regions on local ports", () => {
    const { REGIONS } = loadConfig('region-router', schema, {});
    expect(REGIONS.map((r) => [r.name, r.capacityTpm, r.baseUrl, r.provider])).toEqual([
      ['eastus', 80_000, 'http://127.0.0.1:8101/v1', 'openai'],
      ['westus', 80_000, 'http://127.0.0.1:8102/v1', 'openai'],
      ['westeurope', 60_000, 'http://127.0.0.1:8103/v1', 'openai'],
      ['eastasia', 40_000, 'http://127.0.0.1:8104/v1', 'openai'],
    ]);
  });

  it('loads regions from the REGIONS JSON variable', () => {
    const REGIONS = JSON.stringify([
      {
        name: 'swedencentral',
        baseUrl: 'https://sc.openai.azure.com',
        provider: 'azure',
        apiKeyEnv: 'AZURE_KEY_SC',
        apiVersion: '2024-10-21',
        capacityTpm: 150_000,
        capacityRpm: 900,
      },
    ]);
    expect(loadConfig('region-router', schema, { REGIONS }).REGIONS).toEqual([
      {
        name: 'swedencentral',
        baseUrl: 'https://sc.openai.azure.com',
        provider: 'azure',
        apiKeyEnv: 'AZURE_KEY_SC',
        apiVersion: '2024-10-21',
        capacityTpm: 150_000,
        capacityRpm: 900,
      },
    ]);
  });

  it('stops start-up with a message naming the bad field', () => {
    const bad = (regions: unknown) => () => loadConfig('region-router', schema, { REGIONS: JSON.stringify(regions) });
    expect(bad([{ name: 'x', baseUrl: 'https://x.test', provider: 'azure', capacityTpm: 1 }])).toThrow(/apiVersion/);
    expect(bad([{ name: 'x', baseUrl: 'ftp://x.test', capacityTpm: 1 }])).toThrow(ConfigError);
    expect(bad([{ name: 'x', baseUrl: 'https://x.test', capacityTpm: 0 }])).toThrow(/REGIONS/);
    expect(bad([{ name: 'x', baseUrl: 'https://x.test', capacityTpm: 1, apiKeyEnv: 'sk-live-123' }])).toThrow(/NAME of an environment variable/);
    expect(bad([
      { name: 'x', baseUrl: 'https://x.test', capacityTpm: 1 },
      { name: 'x', baseUrl: 'https://y.test', capacityTpm: 1 },
    ])).toThrow(/duplicate region name "x"/);
    expect(bad([])).toThrow(/at least one region/);
    expect(() => loadConfig('region-router', schema, { REGIONS: '{oops' })).toThrow(/expected valid JSON/);
  });
});
