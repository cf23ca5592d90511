import type { QuestionSignature } from '../caching/question-signature';
import type { CacheStatus, Usage } from '../caching/types';
import type { Candidate, IndexSize } from '../vector-index';

/** The semantic half of an entry: where it may match, what it matches on, and what verification compares. */
export interface SemanticPart {
  /** Hash of tenant, model, context, parameters and embedder; only entries of the same scope are compared. */
  scope: string;
  /** Unit-length embedding of the last user message. */
  vector: Float32Array;
  signature: QuestionSignature;
}

export interface CacheEntry {
  /** Hash of the whole request (the exact tier); unique across tenants because the tenant is hashed in. */
  key: string;
  tenant: string;
  content: string;
  usage: Usage;
  /** Absent when the request may only be answered exactly. */
  semantic?: SemanticPart;
}

export interface StoredEntry extends CacheEntry {
  /** Epoch ms; the entry is never returned at or after it. */
  expiresAt: number;
}

export type InvalidateTarget =
  | { kind: 'tenant'; tenant: string }
  | { kind: 'scope'; tenant: string; scope: string }
  | { kind: 'entry'; tenant: string; key: string };

export interface StoreStats {
  entries: number;
  /** Estimated bytes of the stored entries. */
  memoryBytes: number;
  evictions: number;
  expirations: number;
  exactHits: number;
  semanticHits: number;
  misses: number;
  /** This replica's in-process vector index. */
  index: IndexSize;
}

export interface TenantBound {
  maxEntries: number;
  maxBytes: number;
}

/**
 * Two bounds: per tenant (so one tenant's traffic cannot push every other tenant out) and for the
 * whole store (so every replica's in-process index stays within its memory). Both evict least
 * recently used entries first.
 */
export interface StoreBounds {
  maxEntries: number;
  maxBytes: number;
  tenant: TenantBound;
  /** Per-tenant overrides of `tenant`. */
  tenants?: ReadonlyMap<string, Partial<TenantBound>>;
}

/**
 * Where entries live. Implementations enforce TTL (an expired entry is never returned), both bounds
 * with LRU eviction, and keep this replica's per-scope vector index coherent with the entries, so
 * `nearest` never looks outside its scope and never scans every entry.
 */
export interface CacheStore {
  readonly kind: 'memory' | 'redis';
  /** Live entries under `keys`, in order (undefined where absent or expired). Does not mark them used. */
  getMany(keys: readonly string[]): Promise<Array<StoredEntry | undefined>>;
  /** Marks an entry used for LRU; best effort, never fails the caller. */
  touch(tenant: string, key: string): void;
  /** Inserts or replaces `entry.key` for `ttlMs`; false if it can never fit its bounds. */
  put(entry: CacheEntry, ttlMs: number): Promise<boolean>;
  /** Up to `k` live entries of `scope` by approximate similarity, most similar first. */
  nearest(scope: string, vector: Float32Array, k: number): Promise<Candidate[]>;
  /** Removes the target's entries from the store and from every replica's index; returns how many. */
  invalidate(target: InvalidateTarget): Promise<number>;
  /** Counts a lookup's outcome (shared by all replicas when the store is shared); best effort. */
  recordLookup(tenant: string, outcome: CacheStatus): void;
  /** Totals, or one tenant's when `tenant` is given. */
  stats(tenant?: string): Promise<StoreStats>;
  close(): Promise<void>;
}

// Per-entry bookkeeping that content, keys, vector and signature miss (maps, sorted-set members, hash fields).
export const ENTRY_OVERHEAD_BYTES = 160;

/** Estimated bytes an entry holds: UTF-8 answer, keys, tenant, vector, signature and fixed overhead. */
export function estimateEntryBytes(entry: CacheEntry): number {
  const semantic = entry.semantic
    ? entry.semantic.scope.length + entry.semantic.vector.byteLength + JSON.stringify(entry.semantic.signature).length
    : 0;
  return Buffer.byteLength(entry.content, 'utf8') + entry.key.length + Buffer.byteLength(entry.tenant, 'utf8') + semantic + ENTRY_OVERHEAD_BYTES;
}

export function boundOf(bounds: StoreBounds, tenant: string): TenantBound {
  const override = bounds.tenants?.get(tenant);
  return {
    maxEntries: override?.maxEntries ?? bounds.tenant.maxEntries,
    maxBytes: override?.maxBytes ?? bounds.tenant.maxBytes,
  };
}

export function assertBounds(bounds: StoreBounds): void {
  const check = (name: string, value: number) => {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  };
  check('maxEntries', bounds.maxEntries);
  check('maxBytes', bounds.maxBytes);
  check('tenant.maxEntries', bounds.tenant.maxEntries);
  check('tenant.maxBytes', bounds.tenant.maxBytes);
  for (const [tenant, bound] of bounds.tenants ?? []) {
    if (bound.maxEntries !== undefined) check(`tenants.${tenant}.maxEntries`, bound.maxEntries);
    if (bound.maxBytes !== undefined) check(`tenants.${tenant}.maxBytes`, bound.maxBytes);
  }
}
