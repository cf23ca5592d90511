import { describeCacheStore } from '../../test/support/cache-store-behaviour';
import { MemoryCacheStore } from './memory';

describeCacheStore('MemoryCacheStore', async (bounds) => {
  const clock = { at: 1_700_000_000_000, now: () => clock.at };
  const store = new MemoryCacheStore({ bounds, clock });
  return { store, clock, close: () => store.close() };
});

describe('MemoryCacheStore', () => {
  it('refuses bounds that are not positive integers', () => {
    const clock = { now: () => 0 };
    const tenant = { maxEntries: 1, maxBytes: 1 };
    expect(() => new MemoryCacheStore({ bounds: { maxEntries: 0, maxBytes: 10, tenant }, clock })).toThrow('maxEntries');
    expect(() => new MemoryCacheStore({ bounds: { maxEntries: 1, maxBytes: 10, tenant: { maxEntries: 1, maxBytes: 0 } }, clock })).toThrow(
      'tenant.maxBytes',
    );
  });
});
