export { ResponseCache, type ResponseCacheDependencies, type ResponseCacheOptions } from './response-cache';
export { exactKey, semanticQuery, type SemanticQuery } from './canonical-key';
export { systemClock, type Clock } from './clock';
export type {
  CacheKeyInput,
  CacheStats,
  CacheStatus,
  ChatMessage,
  LookupOptions,
  LookupResult,
  StoreResult,
  StoreSkipReason,
  Usage,
} from './types';
