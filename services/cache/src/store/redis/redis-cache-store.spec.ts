import { Redis } from 'ioredis';
import { waitUntil } from '@switchyard/testing';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../../../test/support/redis';
import { ScopedVectorIndex } from '../../vector-index';
import { bounds, describeCacheStore, entry, unit } from '../../../test/support/cache-store-behaviour';
import type { StoreBounds } from '../cache-store';
import { EventFollower, latestPosition } from './event-follower';
import { keyNames, RedisCacheStore } from './redis-cache-store';

const RUN = uniquePrefix('store');
let next = 0;
const HOUR = 3_600_000;

afterAll(() => deleteKeys(RUN));

async function openPair(b: StoreBounds = bounds()) {
  const prefix = `${RUN}${next++}:`;
  const clock = { at: Date.now(), now: () => clock.at };
  const open = () => RedisCacheStore.open({ url: REDIS_URL, prefix, bounds: b, clock, sweepIntervalMs: 60_000 });
  return { prefix, clock, open };
}

describeCacheStore('RedisCacheStore', async (b) => {
  const { clock, open } = await openPair(b);
  const store = await open();
  return { store, clock, close: () => store.close() };
});

describe('RedisCacheStore across replicas', () => {
  const stores: RedisCacheStore[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  const track = (store: RedisCacheStore) => (stores.push(store), store);
  const nearestKeys = async (store: RedisCacheStore, scope: string) => (await store.nearest(scope, unit(1, 0), 10)).map((n) => n.key).sort();

  it('shows an entry stored through one replica to the other: by key at once, in its index through the stream', async () => {
    const { open } = await openPair();
    const [a, b] = [track(await open()), track(await open())];
    await a.put(entry('k', { scope: 's' }), HOUR);
    expect((await b.getMany(['k']))[0]?.content).toBe('answer k');
    await waitUntil(async () => (await nearestKeys(b, 's')).includes('k'), 'replica b indexes the entry', 1_000);
    expect(b.followerStatus().appliedEvents).toBeGreaterThan(0);
  });

  it('removes evicted, invalidated and expired entries from the other replica too', async () => {
    const { open, clock } = await openPair(bounds({ tenant: { maxEntries: 3, maxBytes: 10_000_000 } }));
    const [a, b] = [track(await open()), track(await open())];
    for (const key of ['e1', 'e2', 'e3']) await a.put(entry(key, { scope: 's' }), HOUR);
    await a.put(entry('short', { scope: 's' }), 500);
    await waitUntil(async () => (await nearestKeys(b, 's')).length === 3, 'b sees three entries', 1_000);
    expect(await nearestKeys(b, 's')).toEqual(['e2', 'e3', 'short']);

    await a.invalidate({ kind: 'entry', tenant: 'team-a', key: 'e2' });
    await waitUntil(async () => !(await nearestKeys(b, 's')).includes('e2'), 'b drops the invalidated entry', 1_000);

    clock.at += 500;
    expect(await nearestKeys(b, 's')).toEqual(['e3']);
    expect((await b.getMany(['short']))[0]).toBeUndefined();
  });

  it('rebuilds its index from Redis when it starts', async () => {
    const { open } = await openPair();
    const a = track(await open());
    for (let i = 0; i < 20; i++) await a.put(entry(`k${i}`, { scope: i % 2 ? 'odd' : 'even', vector: unit(1, i) }), HOUR);
    await a.put(entry('plain'), HOUR);
    const b = track(await open());
    expect((await b.stats()).index).toMatchObject({ vectors: 20, scopes: 2 });
    expect((await b.nearest('odd', unit(1, 3), 1)).map((n) => n.key)).toEqual(['k3']);
  });

  it('lets its shared bookkeeping expire a day after the longest entry could, so abandoned prefixes go away', async () => {
    const { prefix, clock } = await openPair();
    const store = track(await RedisCacheStore.open({ url: REDIS_URL, prefix, bounds: bounds(), clock, maxTtlMs: HOUR }));
    await store.put(entry('k', { scope: 's' }), HOUR);
    const redis = new Redis(REDIS_URL);
    try {
      for (const name of ['events', 'seq', 'evseq', 'bytes', 'meta', 'lru', 'exp']) {
        const ttl = await redis.pttl(`${prefix}${name}`);
        expect([name, ttl > HOUR && ttl <= HOUR + 86_400_000]).toEqual([name, true]);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('fails to open, naming Redis, when nothing answers', async () => {
    const clock = { now: () => Date.now() };
    await expect(
      RedisCacheStore.open({ url: 'redis://127.0.0.1:1', prefix: `${RUN}down:`, bounds: bounds(), clock, connectTimeoutMs: 200 }),
    ).rejects.toThrow(/cannot reach Redis/);
  });
});

describe('EventFollower', () => {
  it('rebuilds when events were trimmed away before it read them, then follows on from the rebuilt position', async () => {
    const keys = keyNames(`${RUN}follower:`);
    const reader = new Redis(REDIS_URL);
    const subscriber = new Redis(REDIS_URL);
    const index = new ScopedVectorIndex();
    let rebuilds = 0;
    const first = (await reader.xadd(keys.events, '*', 'n', 1, 'op', 'del', 'keys', 'x'))!;
    for (let n = 2; n <= 6; n++) await reader.xadd(keys.events, '*', 'n', n, 'op', 'del', 'keys', 'y');
    await reader.xtrim(keys.events, 'MAXLEN', 2);
    const follower = new EventFollower({
      subscriber,
      reader,
      stream: keys.events,
      entryKey: keys.entry,
      clock: { now: () => Date.now() },
      index: () => index,
      rebuild: async () => {
        rebuilds++;
        return latestPosition(reader, keys.events);
      },
      onError: () => undefined,
      blockMs: 100,
    });
    try {
      await follower.start({ id: first, n: 1 });
      await waitUntil(() => rebuilds === 1, 'the follower rebuilds', 2_000);
      expect(follower.status()).toMatchObject({ appliedEvents: 0, position: { n: 6 } });
      await reader.xadd(keys.events, '*', 'n', 7, 'op', 'del', 'keys', 'z');
      await waitUntil(() => follower.status().appliedEvents === 1, 'the follower applies the next event', 2_000);
      expect(rebuilds).toBe(1);
    } finally {
      await follower.stop();
      reader.disconnect();
    }
  });
});
