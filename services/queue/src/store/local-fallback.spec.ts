import { localShareConfig } from './local-fallback';

describe('localShareConfig', () => {
  it('divides every max_concurrent by the declared replica count, rounding down but never below 1', () => {
    const config = localShareConfig(
      { defaults: { maxConcurrent: 10, maxQueueSize: 50, leaseTtlMs: 1_000 }, pools: { small: { maxConcurrent: 1 }, queue: { maxQueueSize: 5 } } },
      3,
    );
    expect(config.defaults).toEqual({ maxConcurrent: 3, maxQueueSize: 50, leaseTtlMs: 1_000 });
    expect(config.pools).toEqual({ small: { maxConcurrent: 1 }, queue: { maxQueueSize: 5 } });
  });
});
