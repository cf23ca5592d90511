import { ConfigError, loadConfig } from '@switchyard/service-kit';
import { cacheConfigSchema } from './config';

describe('cache configuration', () => {
  it('runs on a laptop with no settings: memory store, strict verification, sampled requests bypassed', () => {
    const config = loadConfig('cache', cacheConfigSchema, {});
    expect(config).toMatchObject({
      REDIS_URL: undefined,
      CACHE_SIMILARITY_THRESHOLD: 0.95,
      CACHE_VERIFICATION: 'strict',
      CACHE_SAMPLED_POLICY: 'bypass',
      CACHE_SEMANTIC_MAX_MESSAGES: 2,
      CACHE_REDIS_KEY_PREFIX: 'switchyard:cache:',
      CACHE_INDEX_QUANTIZATION: 'i8',
    });
  });

  it('reads tenant limits and a Redis URL', () => {
    const config = loadConfig('cache', cacheConfigSchema, {
      REDIS_URL: 'redis://redis:6379/2',
      CACHE_REDIS_KEY_PREFIX: 'prod:cache:',
      CACHE_TENANT_LIMITS: '{"team-a":{"maxEntries":1000}}',
    });
    expect(config.CACHE_TENANT_LIMITS).toEqual({ 'team-a': { maxEntries: 1000 } });
    expect(config.CACHE_REDIS_KEY_PREFIX).toBe('prod:cache:');
  });

  it.each([
    ['REDIS_URL', 'localhost:6379'],
    ['CACHE_VERIFICATION', 'lenient'],
    ['CACHE_SAMPLED_POLICY', 'always'],
    ['CACHE_TENANT_LIMITS', '{"team-a":{"maxEntrys":10}}'],
    ['CACHE_REDIS_KEY_PREFIX', 'bad prefix*'],
  ])('refuses a bad %s, naming it', (name, value) => {
    expect(() => loadConfig('cache', cacheConfigSchema, { [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig('cache', cacheConfigSchema, { [name]: value })).toThrow(name);
  });
});
