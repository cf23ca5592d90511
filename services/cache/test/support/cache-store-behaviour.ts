// One behavioural suite for every CacheStore: memory.spec.ts and redis/redis-cache-store.spec.ts run it.
import { questionSignature } from '../../src/caching/question-signature';
import type { CacheEntry, CacheStore, StoreBounds } from '../../src/store/cache-store';
import { estimateEntryBytes } from '../../src/store/cache-store';

const HOUR = 3_600_000;

export interface StoreUnderTest {
  store: CacheStore;
  clock: { at: number; now(): number };
  close(): Promise<void>;
}

export type StoreFactory = (bounds: StoreBounds) => Promise<StoreUnderTest>;

export function unit(...values: number[]): Float32Array {
  const padded = [...values, ...Array<number>(Math.max(0, 8 - values.length)).fill(0)];
  const norm = Math.hypot(...padded);
  return Float32Array.from(padded, (v) => v / norm);
}

export function entry(
  key: string,
  options: { tenant?: string; scope?: string; vector?: Float32Array; content?: string } = {},
): CacheEntry {
  return {
    key,
    tenant: options.tenant ?? 'team-a',
    content: options.content ?? `answer ${key}`,
    usage: { inputTokens: 10, outputTokens: 5 },
    semantic: options.scope
      ? { scope: options.scope, vector: options.vector ?? unit(1, 0), signature: questionSignature(`question ${key}`) }
      : undefined,
  };
}

export const bounds = (overrides: Partial<StoreBounds> = {}): StoreBounds => ({
  maxEntries: 1_000,
  maxBytes: 10_000_000,
  tenant: { maxEntries: 1_000, maxBytes: 10_000_000 },
  ...overrides,
});

export function describeCacheStore(name: string, factory: StoreFactory): void {
  describe(`${name}: the CacheStore contract`, () => {
    const open: StoreUnderTest[] = [];
    const make = async (b: StoreBounds = bounds()) => {
      const made = await factory(b);
      open.push(made);
      return made;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });
    const keys = async (store: CacheStore, ...wanted: string[]) =>
      (await store.getMany(wanted)).map((e) => e?.key ?? null);

    it('returns stored entries by key, in order, and nothing for unknown keys', async () => {
      const { store } = await make();
      await store.put(entry('k1', { scope: 's', vector: unit(1, 2, 3) }), HOUR);
      await store.put(entry('k2'), HOUR);
      const [k1, missing, k2] = await store.getMany(['k1', 'nope', 'k2']);
      expect(k1).toMatchObject({ key: 'k1', tenant: 'team-a', content: 'answer k1', usage: { inputTokens: 10, outputTokens: 5 } });
      expect(Array.from(k1!.semantic!.vector)).toEqual(Array.from(unit(1, 2, 3)));
      expect(k1!.semantic!.signature).toEqual(questionSignature('question k1'));
      expect(missing).toBeUndefined();
      expect(k2).toMatchObject({ key: 'k2' });
      expect(k2?.semantic).toBeUndefined();
    });

    it('replaces the entry under the same key without counting it twice', async () => {
      const { store } = await make();
      await store.put(entry('k1', { content: 'old' }), HOUR);
      await store.put(entry('k1', { content: 'new' }), HOUR);
      expect((await store.getMany(['k1']))[0]?.content).toBe('new');
      expect(await store.stats()).toMatchObject({ entries: 1, memoryBytes: estimateEntryBytes(entry('k1', { content: 'new' })) });
    });

    it('never returns an entry once its TTL has passed, from getMany or nearest', async () => {
      const { store, clock } = await make();
      await store.put(entry('short', { scope: 's', vector: unit(1, 0) }), 1_000);
      await store.put(entry('long', { scope: 's', vector: unit(0, 1) }), HOUR);
      clock.at += 999;
      expect(await keys(store, 'short')).toEqual(['short']);
      clock.at += 1;
      expect(await keys(store, 'short')).toEqual([null]);
      expect((await store.nearest('s', unit(1, 0), 5)).map((n) => n.key)).toEqual(['long']);
    });

    it('removes expired entries nobody reads and counts them when stats are taken', async () => {
      const { store, clock } = await make();
      await store.put(entry('a', { scope: 's' }), 1_000);
      await store.put(entry('b'), 1_000);
      clock.at += 1_000;
      expect(await store.stats()).toMatchObject({ entries: 0, memoryBytes: 0, expirations: 2, evictions: 0 });
      expect((await store.stats()).index.vectors).toBe(0);
    });

    it("evicts a tenant's least recently used entry beyond its entry bound, leaving other tenants alone", async () => {
      const { store } = await make(bounds({ tenant: { maxEntries: 2, maxBytes: 10_000_000 } }));
      await store.put(entry('b1', { tenant: 'team-b' }), HOUR);
      await store.put(entry('a1'), HOUR);
      await store.put(entry('a2'), HOUR);
      store.touch('team-a', 'a1'); // a1 is now more recent than a2
      await store.put(entry('a3'), HOUR);
      expect(await keys(store, 'a1', 'a2', 'a3', 'b1')).toEqual(['a1', null, 'a3', 'b1']);
      expect(await store.stats('team-a')).toMatchObject({ entries: 2, evictions: 1 });
      expect(await store.stats('team-b')).toMatchObject({ entries: 1, evictions: 0 });
    });

    it("keeps a tenant's estimated bytes within its byte bound", async () => {
      const big = (key: string) => entry(key, { content: 'x'.repeat(1_000) });
      const size = estimateEntryBytes(big('a1'));
      const { store } = await make(bounds({ tenant: { maxEntries: 100, maxBytes: size * 2 + 10 } }));
      for (const key of ['a1', 'a2', 'a3']) await store.put(big(key), HOUR);
      const stats = await store.stats('team-a');
      expect(stats).toMatchObject({ entries: 2, evictions: 1 });
      expect(stats.memoryBytes).toBeLessThanOrEqual(size * 2 + 10);
      expect(await keys(store, 'a1')).toEqual([null]);
    });

    it('applies a per-tenant override of the tenant bound', async () => {
      const { store } = await make(bounds({ tenants: new Map([['team-b', { maxEntries: 1 }]]) }));
      for (const key of ['b1', 'b2']) await store.put(entry(key, { tenant: 'team-b' }), HOUR);
      for (const key of ['a1', 'a2']) await store.put(entry(key), HOUR);
      expect(await keys(store, 'b1', 'b2', 'a1', 'a2')).toEqual([null, 'b2', 'a1', 'a2']);
    });

    it('evicts the least recently used entry of any tenant beyond the whole-store bound', async () => {
      const { store } = await make(bounds({ maxEntries: 3 }));
      await store.put(entry('a1'), HOUR);
      await store.put(entry('b1', { tenant: 'team-b' }), HOUR);
      await store.put(entry('a2'), HOUR);
      store.touch('team-a', 'a1');
      await store.put(entry('b2', { tenant: 'team-b' }), HOUR);
      expect(await keys(store, 'a1', 'b1', 'a2', 'b2')).toEqual(['a1', null, 'a2', 'b2']);
      expect(await store.stats()).toMatchObject({ entries: 3, evictions: 1 });
    });

    it('refuses an entry larger than its bound and keeps the previous answer', async () => {
      const { store } = await make(bounds({ tenant: { maxEntries: 10, maxBytes: 2_000 } }));
      await store.put(entry('k', { content: 'small' }), HOUR);
      expect(await store.put(entry('k', { content: 'x'.repeat(5_000) }), HOUR)).toBe(false);
      expect((await store.getMany(['k']))[0]?.content).toBe('small');
      expect(await store.stats()).toMatchObject({ entries: 1, evictions: 0 });
    });

    it('finds the nearest entries of a scope, most similar first, and never another scope', async () => {
      const { store } = await make();
      await store.put(entry('far', { scope: 's', vector: unit(0, 1) }), HOUR);
      await store.put(entry('near', { scope: 's', vector: unit(1, 0.1) }), HOUR);
      await store.put(entry('mid', { scope: 's', vector: unit(1, 1) }), HOUR);
      await store.put(entry('other', { scope: 'other', vector: unit(1, 0) }), HOUR);
      await store.put(entry('exact-only'), HOUR);
      const found = await store.nearest('s', unit(1, 0), 2);
      expect(found.map((n) => n.key)).toEqual(['near', 'mid']);
      expect(found[0]!.similarity).toBeCloseTo(1 / Math.hypot(1, 0.1), 5);
      expect(await store.nearest('nobody', unit(1, 0), 2)).toEqual([]);
    });

    it('drops evicted and replaced entries from the index and moves a replaced entry to its new scope', async () => {
      const { store } = await make(bounds({ tenant: { maxEntries: 2, maxBytes: 10_000_000 } }));
      await store.put(entry('a', { scope: 's' }), HOUR);
      await store.put(entry('b', { scope: 's' }), HOUR);
      await store.put(entry('c', { scope: 's' }), HOUR);
      expect((await store.nearest('s', unit(1, 0), 5)).map((n) => n.key).sort()).toEqual(['b', 'c']);
      await store.put(entry('c', { scope: 'new' }), HOUR);
      expect((await store.nearest('s', unit(1, 0), 5)).map((n) => n.key)).toEqual(['b']);
      expect((await store.nearest('new', unit(1, 0), 5)).map((n) => n.key)).toEqual(['c']);
    });

    it('invalidates one entry, only within its own tenant', async () => {
      const { store } = await make();
      await store.put(entry('k', { scope: 's' }), HOUR);
      expect(await store.invalidate({ kind: 'entry', tenant: 'team-b', key: 'k' })).toBe(0);
      expect(await keys(store, 'k')).toEqual(['k']);
      expect(await store.invalidate({ kind: 'entry', tenant: 'team-a', key: 'k' })).toBe(1);
      expect(await keys(store, 'k')).toEqual([null]);
      expect(await store.nearest('s', unit(1, 0), 5)).toEqual([]);
      expect(await store.stats()).toMatchObject({ entries: 0, memoryBytes: 0 });
    });

    it('invalidates a scope and leaves the rest of the tenant', async () => {
      const { store } = await make();
      for (let i = 0; i < 5; i++) await store.put(entry(`s${i}`, { scope: 's', vector: unit(1, i) }), HOUR);
      await store.put(entry('t0', { scope: 't' }), HOUR);
      await store.put(entry('plain'), HOUR);
      expect(await store.invalidate({ kind: 'scope', tenant: 'team-a', scope: 's' })).toBe(5);
      expect(await store.nearest('s', unit(1, 0), 5)).toEqual([]);
      expect(await keys(store, 's0', 't0', 'plain')).toEqual([null, 't0', 'plain']);
    });

    it("invalidates a whole tenant and no other tenant's entries", async () => {
      const { store } = await make();
      for (let i = 0; i < 7; i++) await store.put(entry(`a${i}`, { scope: 's' }), HOUR);
      await store.put(entry('b0', { tenant: 'team-b', scope: 'sb' }), HOUR);
      expect(await store.invalidate({ kind: 'tenant', tenant: 'team-a' })).toBe(7);
      expect(await store.stats('team-a')).toMatchObject({ entries: 0, memoryBytes: 0 });
      expect(await keys(store, 'a0', 'b0')).toEqual([null, 'b0']);
      expect((await store.nearest('sb', unit(1, 0), 5)).map((n) => n.key)).toEqual(['b0']);
    });

    it('counts lookup outcomes per tenant and in total', async () => {
      const { store } = await make();
      await store.put(entry('a'), HOUR);
      await store.put(entry('b', { tenant: 'team-b' }), HOUR);
      store.recordLookup('team-a', 'exact');
      store.recordLookup('team-a', 'semantic');
      store.recordLookup('team-a', 'miss');
      store.recordLookup('team-b', 'miss');
      expect(await store.stats('team-a')).toMatchObject({ exactHits: 1, semanticHits: 1, misses: 1 });
      expect(await store.stats()).toMatchObject({ exactHits: 1, semanticHits: 1, misses: 2 });
    });

    it('rejects a TTL that is not positive', async () => {
      const { store } = await make();
      await expect(store.put(entry('k'), 0)).rejects.toThrow(RangeError);
    });
  });
}
