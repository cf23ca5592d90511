import type { RejectionReason } from './verify-candidate';
import type { ExactOnlyReason } from './matching-policy';

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
  /** Key of the entry that answered (hits only); Invalidate accepts it. */
  entryKey?: string;
  /** Why the best candidate at or above the threshold was refused by verification. */
  rejectedReason?: RejectionReason;
  /** Why only the exact tier was consulted, when it was. */
  exactOnlyReason?: ExactOnlyReason;
  /** True when policy kept the request away from the cache altogether (sampled requests, by default). */
  bypassed?: boolean;
}

export type StoreSkipReason = 'sampled-request' | 'too-large';

export interface StoreResult {
  stored: boolean;
  /** Why nothing was stored, when `stored` is false. */
  reason?: StoreSkipReason;
}

/** What Invalidate removes; never more than one tenant's entries. */
export type InvalidateRequest =
  | { kind: 'tenant'; tenant: string }
  | { kind: 'request'; tenant: string; request: CacheKeyInput }
  | { kind: 'scope'; tenant: string; request: CacheKeyInput }
  | { kind: 'entry'; tenant: string; entryKey: string };

export interface CacheStats {
  /** memory (embedded) or redis (shared). */
  store: 'memory' | 'redis';
  entries: number;
  exactHits: number;
  semanticHits: number;
  misses: number;
  /** Hits over lookups (lookups = exact + semantic + misses); 0 before the first lookup. */
  exactHitRatio: number;
  semanticHitRatio: number;
  memoryBytes: number;
  /** Entries removed to respect an entry or byte bound. */
  evictions: number;
  /** Entries removed because their TTL passed. */
  expirations: number;
  /** This replica: lookups not attempted because policy excludes the request. */
  bypassed: number;
  /** This replica: embedding calls that failed; those lookups fell back to exact-only. */
  embedderErrors: number;
  /** This replica: semantic candidates above the threshold refused by verification. */
  verificationRejections: number;
  /** This replica: store calls that failed (lookups became misses). */
  storeErrors: number;
  /** This replica's in-process vector index. */
  index: { vectors: number; scopes: number; memoryBytes: number };
}
