import { ConfigError } from '@switchyard/service-kit';
import { DEFAULT_MODELS, loadSimulatorConfig } from './config';

describe('loadSimulatorConfig', () => {
  it('runs on defaults', () => {
    expect(loadSimulatorConfig({})).toEqual({
      SIM_REGION: 'local',
      SIM_HOST: '127.0.0.1',
      SIM_PORT: 8400,
      SIM_LATENCY_MS: 20,
      SIM_LATENCY_PER_TOKEN_MS: 0,
      SIM_TPM_LIMIT: 1_000_000,
      SIM_RPM_LIMIT: 10_000,
      SIM_ERROR_RATE: 0,
      SIM_ERROR_STATUS: 500,
      SIM_SEED: 1,
      SIM_MODELS: DEFAULT_MODELS,
      SIM_DEPLOYMENTS: {},
      SIM_MAX_BODY_BYTES: 1024 * 1024,
    });
  });

  it('reads every variable', () => {
    const config = loadSimulatorConfig({
      SIM_REGION: 'eastus',
      SIM_PORT: '0',
      SIM_LATENCY_PER_TOKEN_MS: '0.5',
      SIM_ERROR_RATE: '0.1',
      SIM_API_KEY: 'secret',
      SIM_MODELS: '["gpt-4o"]',
    });
    expect(config).toMatchObject({
      SIM_REGION: 'eastus',
      SIM_PORT: 0,
      SIM_LATENCY_PER_TOKEN_MS: 0.5,
      SIM_ERROR_RATE: 0.1,
      SIM_API_KEY: 'secret',
      SIM_MODELS: ['gpt-4o'],
    });
  });

  it('names the variable and the problem when a value is bad', () => {
    expect(() => loadSimulatorConfig({ SIM_ERROR_RATE: '2' })).toThrow(ConfigError);
    expect(() => loadSimulatorConfig({ SIM_ERROR_RATE: '2' })).toThrow(/SIM_ERROR_RATE/);
    expect(() => loadSimulatorConfig({ SIM_MODELS: 'gpt-4o' })).toThrow(/SIM_MODELS: expected valid JSON/);
    expect(() => loadSimulatorConfig({ SIM_MODELS: '[]' })).toThrow(/SIM_MODELS/);
    expect(() => loadSimulatorConfig({ SIM_ERROR_STATUS: '200' })).toThrow(/SIM_ERROR_STATUS/);
  });

  it('treats an empty SIM_API_KEY as unset', () => {
    expect(loadSimulatorConfig({ SIM_API_KEY: '' }).SIM_API_KEY).toBeUndefined();
  });
});
