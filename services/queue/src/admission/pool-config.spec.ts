import { InvalidArgument } from '@switchyard/service-kit/errors';
import { poolOverridesSchema, resolvePoolLimits, validateAdmissionConfig, type AdmissionConfig } from './pool-config';

const defaults = { maxConcurrent: 10, maxQueueSize: 100, leaseTtlMs: 30_000 };

describe('pool configuration', () => {
  it('merges a pool override over the defaults and leaves other pools on the defaults', () => {
    const config: AdmissionConfig = { defaults, pools: { small: { maxConcurrent: 2 } } };
    expect(resolvePoolLimits(config, 'small')).toEqual({ ...defaults, maxConcurrent: 2, minSharePercent: 0 });
    expect(resolvePoolLimits(config, 'other')).toEqual({ ...defaults, minSharePercent: 0 });
    expect(resolvePoolLimits(config, 'toString')).toEqual({ ...defaults, minSharePercent: 0 });
    expect(resolvePoolLimits({ defaults: { ...defaults, minSharePercent: 10 }, pools: { m: { minSharePercent: 25 } } }, 'm').minSharePercent).toBe(25);
  });

  it.each([
    [{ defaults: { ...defaults, maxConcurrent: 0 } }, 'defaults.maxConcurrent'],
    [{ defaults: { ...defaults, maxQueueSize: -1 } }, 'defaults.maxQueueSize'],
    [{ defaults: { ...defaults, leaseTtlMs: 2 ** 31 } }, 'defaults.leaseTtlMs'],
    [{ defaults, pools: { m: { maxConcurrent: 1.5 } } }, 'pools.m.maxConcurrent'],
    [{ defaults: { ...defaults, minSharePercent: 60 } }, 'defaults.minSharePercent'],
    [{ defaults, retryHint: { minMs: 500, maxMs: 100 } }, 'retryHint.minMs'],
  ] as [AdmissionConfig, string][])('rejects a bad setting naming it (%#: %s)', (config, field) => {
    expect(() => validateAdmissionConfig(config)).toThrow(InvalidArgument);
    expect(() => validateAdmissionConfig(config)).toThrow(expect.objectContaining({ field }));
  });

  it('parses per-pool overrides from JSON and refuses unknown keys', () => {
    expect(poolOverridesSchema.parse({ 'gpt-4o': { maxConcurrent: 20 } })).toEqual({ 'gpt-4o': { maxConcurrent: 20 } });
    expect(poolOverridesSchema.safeParse({ m: { maxConcurent: 20 } }).success).toBe(false);
    expect(poolOverridesSchema.safeParse({ m: { maxQueueSize: -1 } }).success).toBe(false);
  });
});
