export interface ChatMessage {
  role: string;
  content: string;
}

/** Everything that decides whether two requests may share an answer. */
export interface CacheKeyInput {
  tenant: string;
  model: string;
  messages: readonly ChatMessage[];
  temperature: number;
  /** 0 means "not set", as in the proto. */
  maxTokens: number;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export type CacheStatus = 'exact' | 'semantic' | 'miss';

export interface LookupOptions {
  /** In (0, 1]; 0 or undefined uses the tenant's or the configured default. */
  similarityThreshold?: number;
}

export interface LookupResult {
  status: CacheStatus;
  content?: string;
  usage?: Usage;
  /** 1 for exact; the hit's cosine for semantic; on a miss the nearest candidate's in scope (0 if none). */
  similarity: number;
}

export type StoreSkipReason = 'sampled-request' | 'too-large';

export interface StoreResult {
  stored: boolean;
  /** Why nothing was stored, when `stored` is false. */
  reason?: StoreSkipReason;
}

export interface CacheStats {
  entries: number;
  exactHits: number;
  semanticHits: number;
  misses: number;
  memoryBytes: number;
  /** Entries removed to respect the entry or byte bound. */
  evictions: number;
  /** Entries removed because their TTL passed. */
  expirations: number;
  /** Lookups not attempted because policy excludes the request (sampled with cacheSampled=false). */
  bypassed: number;
  /** Embedding calls that failed; those lookups fell back to exact-only. */
  embedderErrors: number;
}
