import type { Clock } from '../caching/clock';
import { cosineOfUnitVectors } from '../embedding/unit-vector';
import type { CacheEntry, CacheStore, Neighbour, StoreStats } from './cache-store';

export interface MemoryCacheStoreOptions {
  maxEntries: number;
  maxBytes: number;
  clock: Clock;
  /** Expired entries are also swept in bulk at most this often (ms), besides on access. */
  sweepIntervalMs?: number;
}

interface Slot {
  entry: CacheEntry;
  expiresAt: number;
  bytes: number;
}

// Per-entry bookkeeping (Map slots, objects, usage numbers) that the content and vector sizes miss.
export const ENTRY_OVERHEAD_BYTES = 128;

/**
 * Estimated memory held by an entry: UTF-8 content, both hash keys, the vector, fixed overhead.
 * The request messages are not kept (the key is their hash), so they are not counted.
 */
export function estimateEntryBytes(entry: CacheEntry): number {
  return (
    Buffer.byteLength(entry.content, 'utf8') +
    entry.key.length +
    (entry.semantic ? entry.semantic.scope.length + entry.semantic.vector.byteLength : 0) +
    ENTRY_OVERHEAD_BYTES
  );
}

/**
 * The embedded store: one process, bounded by entry count and bytes with least-recently-used eviction.
 * A Map's insertion order is the LRU order (a hit re-inserts its key), so every operation but the
 * scope scan in `nearest` is O(1).
 */
export class MemoryCacheStore implements CacheStore {
  private readonly slots = new Map<string, Slot>();
  private readonly scopes = new Map<string, Map<string, Slot>>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly clock: Clock;
  private readonly sweepIntervalMs: number;
  private lastSweepAt: number;
  private bytes = 0;
  private evictions = 0;
  private expirations = 0;

  constructor(options: MemoryCacheStoreOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${options.maxEntries}`);
    }
    if (!Number.isFinite(options.maxBytes) || options.maxBytes < 1) {
      throw new RangeError(`maxBytes must be a positive number, got ${options.maxBytes}`);
    }
    this.maxEntries = options.maxEntries;
    this.maxBytes = options.maxBytes;
    this.clock = options.clock;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 1_000;
    this.lastSweepAt = this.clock.now();
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    if (this.isExpired(slot)) {
      this.remove(key, slot);
      this.expirations++;
      return undefined;
    }
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.entry;
  }

  async put(entry: CacheEntry, ttlMs: number): Promise<boolean> {
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new RangeError(`ttlMs must be positive, got ${ttlMs}`);
    const bytes = estimateEntryBytes(entry);
    // Refused before touching the previous answer under this key, which stays servable.
    if (bytes > this.maxBytes) return false;
    const previous = this.slots.get(entry.key);
    if (previous) this.remove(entry.key, previous);

    const slot: Slot = { entry, expiresAt: this.clock.now() + ttlMs, bytes };
    this.slots.set(entry.key, slot);
    this.bytes += bytes;
    if (entry.semantic) {
      let scoped = this.scopes.get(entry.semantic.scope);
      if (!scoped) this.scopes.set(entry.semantic.scope, (scoped = new Map()));
      scoped.set(entry.key, slot);
    }

    this.sweepExpiredIfDue();
    this.evictToBounds();
    return true;
  }

  async nearest(scope: string, vector: Float32Array, k: number): Promise<Neighbour[]> {
    const scoped = this.scopes.get(scope);
    if (!scoped || k < 1) return [];
    const best: Neighbour[] = [];
    const expired: Array<[string, Slot]> = [];
    for (const [key, slot] of scoped) {
      if (this.isExpired(slot)) {
        expired.push([key, slot]);
        continue;
      }
      const similarity = cosineOfUnitVectors(vector, slot.entry.semantic!.vector);
      if (best.length < k || similarity > best[best.length - 1].similarity) {
        best.push({ key, similarity });
        best.sort((a, b) => b.similarity - a.similarity);
        if (best.length > k) best.pop();
      }
    }
    for (const [key, slot] of expired) {
      this.remove(key, slot);
      this.expirations++;
    }
    return best;
  }

  async delete(key: string): Promise<boolean> {
    const slot = this.slots.get(key);
    if (!slot) return false;
    this.remove(key, slot);
    return true;
  }

  async stats(): Promise<StoreStats> {
    this.sweepExpired();
    return {
      entries: this.slots.size,
      memoryBytes: this.bytes,
      evictions: this.evictions,
      expirations: this.expirations,
    };
  }

  private evictToBounds(): void {
    while (this.slots.size > this.maxEntries || this.bytes > this.maxBytes) {
      const [key, slot] = this.slots.entries().next().value as [string, Slot];
      this.remove(key, slot);
      if (this.isExpired(slot)) this.expirations++;
      else this.evictions++;
    }
  }

  // Bulk sweeps are rate-limited because they scan everything; per-access checks keep reads correct between them.
  private sweepExpiredIfDue(): void {
    if (this.clock.now() - this.lastSweepAt >= this.sweepIntervalMs) this.sweepExpired();
  }

  private sweepExpired(): void {
    this.lastSweepAt = this.clock.now();
    for (const [key, slot] of this.slots) {
      if (this.isExpired(slot)) {
        this.remove(key, slot);
        this.expirations++;
      }
    }
  }

  private isExpired(slot: Slot): boolean {
    return this.clock.now() >= slot.expiresAt;
  }

  private remove(key: string, slot: Slot): void {
    this.slots.delete(key);
    this.bytes -= slot.bytes;
    const scope = slot.entry.semantic?.scope;
    if (scope === undefined) return;
    const scoped = this.scopes.get(scope);
    scoped?.delete(key);
    if (scoped?.size === 0) this.scopes.delete(scope);
  }
}
