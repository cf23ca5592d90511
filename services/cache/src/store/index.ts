export type {
  CacheEntry,
  CacheStore,
  InvalidateTarget,
  SemanticPart,
  StoreBounds,
  StoredEntry,
  StoreStats,
  TenantBound,
} from './cache-store';
export { ENTRY_OVERHEAD_BYTES, estimateEntryBytes, boundOf } from './cache-store';
export { MemoryCacheStore, type MemoryCacheStoreOptions } from './memory';
export { RedisCacheStore, keyNames, type RedisCacheStoreOptions } from './redis/redis-cache-store';
export type { FollowerStatus } from './redis/event-follower';
