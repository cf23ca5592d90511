import type { CacheEntry } from './cache-store';
import { ENTRY_OVERHEAD_BYTES, estimateEntryBytes, MemoryCacheStore } from './memory';

const HOUR = 3_600_000;

function fakeClock(start = 1_700_000_000_000) {
  const clock = { at: start, now: () => clock.at };
  return clock;
}

function unit(...values: number[]): Float32Array {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (v) => v / norm);
}

function entry(key: string, options: { scope?: string; vector?: Float32Array; content?: string } = {}): CacheEntry {
  return {
    key,
    content: options.content ?? `answer ${key}`,
    usage: { inputTokens: 10, outputTokens: 5 },
    semantic: options.scope ? { scope: options.scope, vector: options.vector ?? unit(1, 0) } : undefined,
  };
}

function makeStore(overrides: { maxEntries?: number; maxBytes?: number } = {}) {
  const clock = fakeClock();
  const store = new MemoryCacheStore({
    maxEntries: overrides.maxEntries ?? 100,
    maxBytes: overrides.maxBytes ?? 1_000_000,
    clock,
  });
  return { store, clock };
}

describe('MemoryCacheStore', () => {
  it('returns a stored entry by key and nothing for an unknown key', async () => {
    const { store } = makeStore();
    await store.put(entry('k1'), HOUR);
    expect((await store.get('k1'))?.content).toBe('answer k1');
    expect(await store.get('k2')).toBeUndefined();
  });

  it('replaces the entry under the same key without double-counting it', async () => {
    const { store } = makeStore();
    await store.put(entry('k1', { content: 'old' }), HOUR);
    await store.put(entry('k1', { content: 'new' }), HOUR);
    expect((await store.get('k1'))?.content).toBe('new');
    const expectedBytes = estimateEntryBytes(entry('k1', { content: 'new' }));
    expect(await store.stats()).toMatchObject({ entries: 1, memoryBytes: expectedBytes });
  });

  it('never returns an entry once its TTL has passed, from get or nearest', async () => {
    const { store, clock } = makeStore();
    await store.put(entry('short', { scope: 's' }), 1_000);
    await store.put(entry('long', { scope: 's', vector: unit(0, 1) }), HOUR);

    clock.at += 999;
    expect(await store.get('short')).toBeDefined();

    clock.at += 1;
    expect(await store.get('short')).toBeUndefined();
    expect((await store.nearest('s', unit(1, 0), 5)).map((n) => n.key)).toEqual(['long']);
    expect(await store.stats()).toMatchObject({ entries: 1, expirations: 1, evictions: 0 });
  });

  it('frees expired entries that nobody reads when stats are taken', async () => {
    const { store, clock } = makeStore();
    await store.put(entry('a'), 1_000);
    await store.put(entry('b'), 1_000);
    clock.at += 1_000;
    expect(await store.stats()).toMatchObject({ entries: 0, memoryBytes: 0, expirations: 2 });
  });

  it('evicts the least recently used entry when the entry bound is exceeded', async () => {
    const { store } = makeStore({ maxEntries: 2 });
    await store.put(entry('a'), HOUR);
    await store.put(entry('b'), HOUR);
    await store.get('a'); // a is now more recent than b
    await store.put(entry('c'), HOUR);

    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
    expect(await store.get('c')).toBeDefined();
    expect(await store.stats()).toMatchObject({ entries: 2, evictions: 1 });
  });

  it('evicts least recently used entries until the byte bound holds', async () => {
    const size = estimateEntryBytes(entry('a', { content: 'x'.repeat(400) }));
    const { store } = makeStore({ maxBytes: size * 2 + 10 });
    await store.put(entry('a', { content: 'x'.repeat(400) }), HOUR);
    await store.put(entry('b', { content: 'x'.repeat(400) }), HOUR);
    await store.put(entry('c', { content: 'x'.repeat(400) }), HOUR);

    expect(await store.get('a')).toBeUndefined();
    const stats = await store.stats();
    expect(stats).toMatchObject({ entries: 2, evictions: 1 });
    expect(stats.memoryBytes).toBeLessThanOrEqual(size * 2 + 10);
  });

  it('refuses an entry larger than the whole byte bound and keeps what it had', async () => {
    const { store } = makeStore({ maxBytes: 1_000 });
    await store.put(entry('k', { content: 'small' }), HOUR);
    expect(await store.put(entry('k', { content: 'x'.repeat(2_000) }), HOUR)).toBe(false);
    expect((await store.get('k'))?.content).toBe('small');
    expect(await store.stats()).toMatchObject({ entries: 1, evictions: 0 });
  });

  it('counts content bytes as UTF-8 plus keys, vector and fixed overhead', () => {
    const withVector = entry('key', { scope: 'scope', vector: new Float32Array(384), content: 'héllo' });
    expect(estimateEntryBytes(withVector)).toBe(6 + 3 + 5 + 384 * 4 + ENTRY_OVERHEAD_BYTES);
    expect(estimateEntryBytes(entry('key', { content: 'héllo' }))).toBe(6 + 3 + ENTRY_OVERHEAD_BYTES);
  });

  it('returns the k nearest neighbours of a scope, most similar first', async () => {
    const { store } = makeStore();
    await store.put(entry('far', { scope: 's', vector: unit(0, 1) }), HOUR);
    await store.put(entry('near', { scope: 's', vector: unit(1, 0.1) }), HOUR);
    await store.put(entry('mid', { scope: 's', vector: unit(1, 1) }), HOUR);

    const neighbours = await store.nearest('s', unit(1, 0), 2);

    expect(neighbours.map((n) => n.key)).toEqual(['near', 'mid']);
    expect(neighbours[0].similarity).toBeCloseTo(1 / Math.hypot(1, 0.1), 5);
    expect(neighbours[1].similarity).toBeCloseTo(Math.SQRT1_2, 5);
  });

  it('only considers entries of the requested scope', async () => {
    const { store } = makeStore();
    await store.put(entry('other', { scope: 'other-scope', vector: unit(1, 0) }), HOUR);
    await store.put(entry('exact-only'), HOUR);
    expect(await store.nearest('s', unit(1, 0), 5)).toEqual([]);
  });

  it('drops evicted and deleted entries from the scope index', async () => {
    const { store } = makeStore({ maxEntries: 1 });
    await store.put(entry('a', { scope: 's' }), HOUR);
    await store.put(entry('b', { scope: 's' }), HOUR);
    expect((await store.nearest('s', unit(1, 0), 5)).map((n) => n.key)).toEqual(['b']);

    expect(await store.delete('b')).toBe(true);
    expect(await store.delete('b')).toBe(false);
    expect(await store.nearest('s', unit(1, 0), 5)).toEqual([]);
    expect(await store.stats()).toMatchObject({ entries: 0, memoryBytes: 0 });
  });

  it('moves an entry to its new scope when replaced', async () => {
    const { store } = makeStore();
    await store.put(entry('k', { scope: 'old' }), HOUR);
    await store.put(entry('k', { scope: 'new' }), HOUR);
    expect(await store.nearest('old', unit(1, 0), 5)).toEqual([]);
    expect((await store.nearest('new', unit(1, 0), 5)).map((n) => n.key)).toEqual(['k']);
  });

  it('rejects a non-positive TTL and invalid bounds', async () => {
    const { store, clock } = makeStore();
    await expect(store.put(entry('k'), 0)).rejects.toThrow(RangeError);
    expect(() => new MemoryCacheStore({ maxEntries: 0, maxBytes: 10, clock })).toThrow(RangeError);
    expect(() => new MemoryCacheStore({ maxEntries: 1, maxBytes: 0, clock })).toThrow(RangeError);
  });
});
