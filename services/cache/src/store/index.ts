export type { CacheEntry, CacheStore, Neighbour, SemanticIndexKey, StoreStats } from './cache-store';
export { MemoryCacheStore, estimateEntryBytes, ENTRY_OVERHEAD_BYTES, type MemoryCacheStoreOptions } from './memory';
