import type { Clock } from '@switchyard/service-kit/clock';
import type { CacheStatus } from '../caching/types';
import { ScopedVectorIndex, type Candidate, type ScopedVectorIndexOptions } from '../vector-index';
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
} from './cache-store';
import { ExpiryQueue } from './expiry-queue';

export interface MemoryCacheStoreOptions {
  bounds: StoreBounds;
  clock: Clock;
  index?: Partial<ScopedVectorIndexOptions>;
  /** Expired entries nobody reads are swept at most this often (ms); reads check expiry themselves. */
  sweepIntervalMs?: number;
}

interface Slot {
  entry: CacheEntry;
  expiresAt: number;
  bytes: number;
}

interface Counters {
  evictions: number;
  expirations: number;
  exactHits: number;
  semanticHits: number;
  misses: number;
}

interface TenantState extends Counters {
  /** This tenant's entries, least recently used first (a Map keeps insertion order; a use re-inserts). */
  lru: Map<string, Slot>;
  bytes: number;
}

const zeroCounters = (): Counters => ({ evictions: 0, expirations: 0, exactHits: 0, semanticHits: 0, misses: 0 });

/**
 * The embedded store: one process, everything in memory. Entries sit in two LRU orders (all entries,
 * and per tenant) so both bounds evict in O(1); expiries sit in a heap so sweeping never visits live
 * entries; vectors sit in the per-scope index.
 */
export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory';
  private readonly slots = new Map<string, Slot>();
  private readonly tenants = new Map<string, TenantState>();
  private readonly index: ScopedVectorIndex;
  private readonly expiry = new ExpiryQueue();
  private readonly bounds: StoreBounds;
  private readonly clock: Clock;
  private readonly sweepIntervalMs: number;
  private readonly totals = zeroCounters();
  private lastSweepAt: number;
  private bytes = 0;

  constructor(options: MemoryCacheStoreOptions) {
    assertBounds(options.bounds);
    this.bounds = options.bounds;
    this.clock = options.clock;
    this.index = new ScopedVectorIndex(options.index);
    this.sweepIntervalMs = options.sweepIntervalMs ?? 1_000;
    this.lastSweepAt = this.clock.now();
  }

  async getMany(keys: readonly string[]): Promise<Array<StoredEntry | undefined>> {
    this.sweepIfDue();
    const now = this.clock.now();
    return keys.map((key) => {
      const slot = this.slots.get(key);
      if (!slot) return undefined;
      if (slot.expiresAt <= now) {
        this.remove(key, slot, 'expired');
        return undefined;
      }
      return { ...slot.entry, expiresAt: slot.expiresAt };
    });
  }

  touch(tenant: string, key: string): void {
    const slot = this.slots.get(key);
    const state = this.tenants.get(tenant);
    if (!slot || !state || slot.entry.tenant !== tenant) return;
    this.slots.delete(key);
    this.slots.set(key, slot);
    state.lru.delete(key);
    state.lru.set(key, slot);
  }

  async put(entry: CacheEntry, ttlMs: number): Promise<boolean> {
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new RangeError(`ttlMs must be positive, got ${ttlMs}`);
    const bytes = estimateEntryBytes(entry);
    const bound = boundOf(this.bounds, entry.tenant);
    // Refused before touching the previous answer under this key, which stays servable.
    if (bytes > bound.maxBytes || bytes > this.bounds.maxBytes) return false;
    const previous = this.slots.get(entry.key);
    if (previous) this.remove(entry.key, previous, 'replaced');

    const now = this.clock.now();
    const slot: Slot = { entry, expiresAt: now + ttlMs, bytes };
    const state = this.tenantState(entry.tenant);
    this.slots.set(entry.key, slot);
    state.lru.set(entry.key, slot);
    state.bytes += bytes;
    this.bytes += bytes;
    this.expiry.push(slot.expiresAt, entry.key);
    if (entry.semantic) {
      const { scope, vector } = entry.semantic;
      this.index.upsert(entry.key, { tenant: entry.tenant, scope, vector, expiresAt: slot.expiresAt });
    }

    this.sweepIfDue();
    while (state.lru.size > bound.maxEntries || state.bytes > bound.maxBytes) {
      const [key, victim] = state.lru.entries().next().value as [string, Slot];
      this.remove(key, victim, 'evicted');
    }
    while (this.slots.size > this.bounds.maxEntries || this.bytes > this.bounds.maxBytes) {
      const [key, victim] = this.slots.entries().next().value as [string, Slot];
      this.remove(key, victim, 'evicted');
    }
    return true;
  }

  async nearest(scope: string, vector: Float32Array, k: number): Promise<Candidate[]> {
    this.sweepIfDue();
    return this.index.search(scope, vector, k, this.clock.now());
  }

  async invalidate(target: InvalidateTarget): Promise<number> {
    const keys =
      target.kind === 'entry'
        ? [target.key]
        : target.kind === 'scope'
          ? this.index.removeScope(target.scope)
          : [...(this.tenants.get(target.tenant)?.lru.keys() ?? [])];
    let removed = 0;
    for (const key of keys) {
      const slot = this.slots.get(key);
      // Invalidation never crosses tenants, whatever key or scope it was handed.
      if (!slot || slot.entry.tenant !== target.tenant) continue;
      this.remove(key, slot, 'invalidated');
      removed++;
    }
    return removed;
  }

  recordLookup(tenant: string, outcome: CacheStatus): void {
    const field = outcome === 'exact' ? 'exactHits' : outcome === 'semantic' ? 'semanticHits' : 'misses';
    this.totals[field]++;
    const state = this.tenants.get(tenant);
    if (state) state[field]++;
  }

  async stats(tenant?: string): Promise<StoreStats> {
    this.sweep(Number.POSITIVE_INFINITY);
    const index = this.index.stats();
    if (tenant === undefined) {
      return { entries: this.slots.size, memoryBytes: this.bytes, ...this.totals, index };
    }
    const state = this.tenants.get(tenant);
    if (!state) return { entries: 0, memoryBytes: 0, ...zeroCounters(), index };
    const { lru, bytes, ...counters } = state;
    return { entries: lru.size, memoryBytes: bytes, ...counters, index };
  }

  async close(): Promise<void> {
    this.index.clear();
    this.slots.clear();
    this.tenants.clear();
    this.expiry.clear();
  }

  private tenantState(tenant: string): TenantState {
    let state = this.tenants.get(tenant);
    if (!state) this.tenants.set(tenant, (state = { lru: new Map(), bytes: 0, ...zeroCounters() }));
    return state;
  }

  // Bulk sweeps are rate-limited; reads check expiry themselves, so correctness never waits for a sweep.
  private sweepIfDue(): void {
    if (this.clock.now() - this.lastSweepAt >= this.sweepIntervalMs) this.sweep(10_000);
  }

  private sweep(limit: number): void {
    const now = this.clock.now();
    this.lastSweepAt = now;
    for (const [, key] of this.expiry.popDue(now, limit)) {
      const slot = this.slots.get(key);
      if (slot && slot.expiresAt <= now) this.remove(key, slot, 'expired');
    }
  }

  private remove(key: string, slot: Slot, why: 'expired' | 'evicted' | 'replaced' | 'invalidated'): void {
    this.slots.delete(key);
    this.bytes -= slot.bytes;
    const state = this.tenants.get(slot.entry.tenant)!;
    state.lru.delete(key);
    state.bytes -= slot.bytes;
    if (why === 'expired') {
      state.expirations++;
      this.totals.expirations++;
    } else if (why === 'evicted') {
      state.evictions++;
      this.totals.evictions++;
    }
    if (slot.entry.semantic) this.index.remove(key);
  }
}
