import type { Usage } from '../caching/types';

/** The semantic half of an entry: where it may match and what it matches on. */
export interface SemanticIndexKey {
  /** Hash of tenant, model, context and embedder; only entries with the same scope are compared. */
  scope: string;
  /** Unit-length embedding of the last user message. */
  vector: Float32Array;
}

export interface CacheEntry {
  /** Hash of the whole request (the exact tier). */
  key: string;
  content: string;
  usage: Usage;
  /** Absent when the request cannot match semantically (its last message is not from the user). */
  semantic?: SemanticIndexKey;
}

export interface Neighbour {
  key: string;
  similarity: number;
}

export interface StoreStats {
  entries: number;
  memoryBytes: number;
  evictions: number;
  expirations: number;
}

/**
 * Where entries live. Implementations enforce TTL (an expired entry is never returned), their own
 * memory bound, and keep a per-scope vector index so `nearest` never looks outside its scope.
 * Async throughout so a networked store (Redis) fits the same interface.
 */
export interface CacheStore {
  /** The live entry under `key`, marking it recently used; undefined if absent or expired. */
  get(key: string): Promise<CacheEntry | undefined>;
  /** Inserts or replaces the entry under `entry.key` for `ttlMs`; false if it can never fit the bound. */
  put(entry: CacheEntry, ttlMs: number): Promise<boolean>;
  /** Up to `k` live entries of `scope`, most similar first. Does not mark them used. */
  nearest(scope: string, vector: Float32Array, k: number): Promise<Neighbour[]>;
  delete(key: string): Promise<boolean>;
  stats(): Promise<StoreStats>;
}
