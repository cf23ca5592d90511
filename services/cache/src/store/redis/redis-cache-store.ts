import type { Clock } from '@switchyard/service-kit/clock';
import { Redis } from 'ioredis';
import type { CacheStatus } from '../../caching/types';
import { ScopedVectorIndex, type Candidate, type IndexedVector, type ScopedVectorIndexOptions } from '../../vector-index';
import {
  assertBounds,
  boundOf,
  estimateEntryBytes,
  type CacheEntry,
  type CacheStore,
  type InvalidateTarget,
  type StoreBounds,
  type StoredEntry,
  type StoreStats,
} from '../cache-store';
import { bufferToVector, decodeEntry, encodeUsage, ENTRY_FIELDS, vectorToBuffer } from './entry-fields';
import { INVALIDATE_SCRIPT, PUT_SCRIPT, SWEEP_SCRIPT, TOUCH_SCRIPT } from './lua-scripts';
import { EventFollower, latestPosition, type FollowerStatus, type StreamPosition } from './event-follower';

export interface RedisCacheStoreOptions {
  url: string;
  /** Every key starts with it; replicas sharing a cache share the prefix, tests use a unique one. */
  prefix: string;
  bounds: StoreBounds;
  clock: Clock;
  index?: Partial<ScopedVectorIndexOptions>;
  /** Longest a store command may take before it fails (a failed lookup is a miss). */
  commandTimeoutMs?: number;
  /** How long start-up waits for Redis before giving up. */
  connectTimeoutMs?: number;
  /** How often each replica removes entries whose TTL passed (and tells the others). */
  sweepIntervalMs?: number;
  /** Events kept in the change stream; a replica further behind than this rebuilds its index. */
  streamMaxLength?: number;
  /** Longest TTL an entry can have; shared bookkeeping is kept a day longer than that after the last Store. */
  maxTtlMs?: number;
  /** Reported, never thrown: background failures (sweeps, stream following, LRU touches). */
  onBackgroundError?: (error: unknown, during: string) => void;
}

type ScriptRunner = (...args: Array<string | number | Buffer>) => Promise<unknown>;

const INVALIDATE_CHUNK = 500;
const FIELDS_OF_INDEX = ['t', 's', 'v', 'x'] as const;

/**
 * The shared store: entries, bounds, LRU order and counters live in Redis and are changed only by Lua
 * scripts; every replica keeps its own in-process vector index, rebuilt from Redis at start and kept
 * coherent by following the change stream that every script appends to (ADR 0016).
 */
export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis';
  private index: ScopedVectorIndex;
  private readonly follower: EventFollower;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly streamMaxLength: number;
  private closed = false;

  private constructor(
    private readonly redis: Redis,
    private readonly options: RedisCacheStoreOptions,
    private readonly keys: ReturnType<typeof keyNames>,
    subscriber: Redis,
  ) {
    this.index = new ScopedVectorIndex(options.index);
    this.streamMaxLength = options.streamMaxLength ?? 100_000;
    const report = options.onBackgroundError ?? (() => undefined);
    this.follower = new EventFollower({
      subscriber,
      reader: redis,
      stream: this.keys.events,
      entryKey: (key) => this.keys.entry(key),
      clock: options.clock,
      index: () => this.index,
      rebuild: () => this.rebuild(),
      onError: (error) => report(error, 'following the change stream'),
    });
    this.sweepTimer = setInterval(() => {
      this.sweep(1_000).catch((error: unknown) => report(error, 'sweeping expired entries'));
    }, options.sweepIntervalMs ?? 1_000);
    this.sweepTimer.unref();
  }

  /** Connects (failing start-up if Redis does not answer), rebuilds the index, then follows the stream. */
  static async open(options: RedisCacheStoreOptions): Promise<RedisCacheStore> {
    assertBounds(options.bounds);
    const redis = new Redis(options.url, {
      lazyConnect: true,
      // A lookup must not queue behind a reconnect: with no offline queue it fails fast and becomes a miss.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 500,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    });
    const subscriber = redis.duplicate({ commandTimeout: undefined, enableOfflineQueue: true, maxRetriesPerRequest: null });
    try {
      await redis.connect();
      await subscriber.connect();
    } catch (error) {
      redis.disconnect();
      subscriber.disconnect();
      throw new Error(`cannot reach Redis for the cache store: ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const [name, lua] of Object.entries({ cachePut: PUT_SCRIPT, cacheSweep: SWEEP_SCRIPT, cacheTouch: TOUCH_SCRIPT, cacheInvalidate: INVALIDATE_SCRIPT })) {
      redis.defineCommand(name, { numberOfKeys: 0, lua });
    }
    const store = new RedisCacheStore(redis, options, keyNames(options.prefix), subscriber);
    try {
      await store.follower.start(await store.rebuild());
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  async getMany(keys: readonly string[]): Promise<Array<StoredEntry | undefined>> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hmgetBuffer(this.keys.entry(key), ...ENTRY_FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    const now = this.options.clock.now();
    return keys.map((key, i) => {
      const [error, fields] = replies[i] ?? [new Error('no reply'), null];
      if (error) throw error;
      return decodeEntry(key, fields as Array<Buffer | null>, now);
    });
  }

  touch(tenant: string, key: string): void {
    this.script('cacheTouch')(this.options.prefix, key, tenant).catch((error: unknown) =>
      this.options.onBackgroundError?.(error, 'marking an entry used'),
    );
  }

  async put(entry: CacheEntry, ttlMs: number): Promise<boolean> {
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new RangeError(`ttlMs must be positive, got ${ttlMs}`);
    const now = this.options.clock.now();
    const expiresAt = now + ttlMs;
    const bytes = estimateEntryBytes(entry);
    const bound = boundOf(this.options.bounds, entry.tenant);
    const semantic = entry.semantic;
    const reply = (await this.script('cachePut')(
      this.options.prefix,
      entry.key,
      entry.tenant,
      now,
      expiresAt,
      bytes,
      bound.maxEntries,
      bound.maxBytes,
      this.options.bounds.maxEntries,
      this.options.bounds.maxBytes,
      this.streamMaxLength,
      entry.content,
      encodeUsage(entry),
      semantic?.scope ?? '',
      semantic ? vectorToBuffer(semantic.vector) : '',
      semantic ? JSON.stringify(semantic.signature) : '',
      Math.ceil(ttlMs),
      Math.ceil(Math.max(ttlMs, this.options.maxTtlMs ?? 7 * 86_400_000) + 86_400_000),
    )) as [number, ...string[]];
    const [stored, ...removed] = reply;
    // Applied here at once so this replica reads its own writes; the stream brings the same change again.
    for (const key of removed) this.index.remove(key);
    if (stored === 1 && semantic) {
      this.index.upsert(entry.key, { tenant: entry.tenant, scope: semantic.scope, vector: semantic.vector, expiresAt });
    }
    return stored === 1;
  }

  async nearest(scope: string, vector: Float32Array, k: number): Promise<Candidate[]> {
    return this.index.search(scope, vector, k, this.options.clock.now());
  }

  async invalidate(target: InvalidateTarget): Promise<number> {
    const what = target.kind === 'entry' ? target.key : target.kind === 'scope' ? target.scope : '';
    let removed = 0;
    for (;;) {
      const [count, left, ...keys] = (await this.script('cacheInvalidate')(
        this.options.prefix,
        target.tenant,
        target.kind,
        what,
        INVALIDATE_CHUNK,
        this.streamMaxLength,
      )) as [number, number, ...string[]];
      removed += count;
      for (const key of keys) this.index.remove(key);
      if (target.kind === 'entry' || left === 0 || count === 0) break;
    }
    return removed;
  }

  recordLookup(tenant: string, outcome: CacheStatus): void {
    this.redis
      .pipeline()
      .hincrby(this.keys.counters, outcome, 1)
      .hincrby(this.keys.counters, `${outcome}|${tenant}`, 1)
      .exec()
      .catch((error: unknown) => this.options.onBackgroundError?.(error, 'counting a lookup'));
  }

  async stats(tenant?: string): Promise<StoreStats> {
    await this.sweep(10_000);
    const suffix = tenant === undefined ? '' : `|${tenant}`;
    const fields = ['exact', 'semantic', 'miss', 'evictions', 'expirations'].map((f) => f + suffix);
    const pipeline = this.redis.pipeline();
    if (tenant === undefined) pipeline.zcard(this.keys.lru).get(this.keys.bytes);
    else pipeline.zcard(this.keys.tenantLru(tenant)).hget(this.keys.tenantBytes, tenant);
    pipeline.hmget(this.keys.counters, ...fields);
    const replies = (await pipeline.exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    const [entries, bytes, counters] = replies.map(([, value]) => value) as [number, string | null, Array<string | null>];
    const count = (i: number) => Number(counters[i] ?? 0);
    return {
      entries,
      memoryBytes: Number(bytes ?? 0),
      exactHits: count(0),
      semanticHits: count(1),
      misses: count(2),
      evictions: count(3),
      expirations: count(4),
      index: this.index.stats(),
    };
  }

  /** How far this replica's index trails the shared store. */
  followerStatus(): FollowerStatus {
    return this.follower.status();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    await this.follower.stop();
    this.redis.disconnect();
    this.index.clear();
  }

  /** Removes entries whose TTL passed from Redis (and, through the stream, from every replica). */
  private async sweep(limit: number): Promise<void> {
    if (this.closed) return;
    const removed = (await this.script('cacheSweep')(this.options.prefix, this.options.clock.now(), limit, this.streamMaxLength)) as string[];
    for (const key of removed) this.index.remove(key);
  }

  /**
   * A fresh index from every live entry in Redis, swapped in at the end. Returns the stream position to
   * follow from: taken before the scan, so a change made during the scan is applied again, never lost.
   */
  private async rebuild(): Promise<StreamPosition> {
    const from = await latestPosition(this.redis, this.keys.events);
    const fresh = new ScopedVectorIndex(this.options.index);
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.zscan(this.keys.expiry, cursor, 'COUNT', 1_000);
      cursor = next;
      const now = this.options.clock.now();
      const keys: string[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) if (Number(flat[i + 1]) > now) keys.push(flat[i]!);
      if (keys.length === 0) continue;
      const pipeline = this.redis.pipeline();
      for (const key of keys) pipeline.hmgetBuffer(this.keys.entry(key), ...FIELDS_OF_INDEX);
      const replies = (await pipeline.exec()) ?? [];
      const batch: Array<readonly [string, IndexedVector]> = [];
      keys.forEach((key, i) => {
        const [error, fields] = replies[i] ?? [null, null];
        if (error || !fields) return;
        const [tenant, scope, vector, expiry] = fields as Array<Buffer | null>;
        if (!tenant || !scope || !vector || !expiry) return;
        batch.push([key, { tenant: tenant.toString(), scope: scope.toString(), vector: bufferToVector(vector), expiresAt: Number(expiry.toString()) }]);
      });
      fresh.upsertMany(batch);
    } while (cursor !== '0');
    const previous = this.index;
    this.index = fresh;
    previous.clear();
    return from;
  }

  private script(name: string): ScriptRunner {
    const runner = (this.redis as unknown as Record<string, ScriptRunner>)[name];
    if (!runner) throw new Error(`Redis script ${name} is not defined`);
    return runner.bind(this.redis);
  }
}

/** Key names under a prefix; see lua-scripts.ts for what each holds. */
export function keyNames(prefix: string) {
  return {
    entry: (key: string) => `${prefix}e:${key}`,
    lru: `${prefix}lru`,
    tenantLru: (tenant: string) => `${prefix}lru:${tenant}`,
    expiry: `${prefix}exp`,
    bytes: `${prefix}bytes`,
    tenantBytes: `${prefix}tbytes`,
    counters: `${prefix}counters`,
    events: `${prefix}events`,
  };
}

