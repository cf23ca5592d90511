import { z } from 'zod';
import { envAddress, envInt, envJson, envNumber, grpcServerSettings } from '@switchyard/service-kit';

const tenantLimit = z
  .object({ maxEntries: z.number().int().min(1).optional(), maxBytes: z.number().int().min(1024).optional() })
  .strict();

/** Settings of the cache; every key is an environment variable (docs/configuration.md, docs/cache.md). */
export const cacheConfigSchema = z.object({
  ...grpcServerSettings(50053),
  /** Default cosine threshold for a semantic hit, in (0, 1]. */
  CACHE_SIMILARITY_THRESHOLD: envNumber(0.95, 0.01, 1),
  /** JSON map tenant -> threshold, e.g. {"team-a":0.98}. */
  CACHE_TENANT_SIMILARITY_THRESHOLDS: envJson(z.record(z.string().min(1), z.number().gt(0).max(1)), {}),
  /** How semantic candidates are verified: strict (same content words too), standard, off. */
  CACHE_VERIFICATION: z.enum(['strict', 'standard', 'off']).default('strict'),
  /** Nearest entries fetched, re-scored and verified per semantic lookup. */
  CACHE_CANDIDATES: envInt(4, 1, 32),
  /** Requests with more messages than this (system prompts included) are matched exactly only. */
  CACHE_SEMANTIC_MAX_MESSAGES: envInt(2, 1, 1_000),
  /** A last user message longer than this many characters is matched exactly only. */
  CACHE_SEMANTIC_MAX_CHARS: envInt(2_000, 1),
  /** Requests with temperature > 0: bypass (not cached), exact (byte-identical repeats only), semantic. */
  CACHE_SAMPLED_POLICY: z.enum(['bypass', 'exact', 'semantic']).default('bypass'),
  CACHE_DEFAULT_TTL_SECONDS: envInt(3_600, 1),
  /** Longest TTL a Store may ask for; longer ones are cut to it. */
  CACHE_MAX_TTL_SECONDS: envInt(7 * 24 * 3_600, 1),
  /** Bound on all entries together (every replica indexes them all); LRU eviction beyond it. */
  CACHE_MAX_ENTRIES: envInt(100_000, 1),
  CACHE_MAX_BYTES: envInt(256 * 1024 * 1024, 1024),
  /** Default bound per tenant; LRU eviction within the tenant beyond it. */
  CACHE_TENANT_MAX_ENTRIES: envInt(100_000, 1),
  CACHE_TENANT_MAX_BYTES: envInt(256 * 1024 * 1024, 1024),
  /** JSON map tenant -> {"maxEntries":n,"maxBytes":n} overriding the tenant defaults. */
  CACHE_TENANT_LIMITS: envJson(z.record(z.string().min(1), tenantLimit), {}),
  /** `lexical` (offline hashed n-grams) or `upstream` (the embedding model, through the batcher). */
  CACHE_EMBEDDER: z.enum(['lexical', 'upstream']).default('lexical'),
  CACHE_EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
  CACHE_EMBEDDING_DIMENSIONS: envInt(1536, 1),
  /** Recently computed embeddings kept for reuse between a lookup and its store (0 disables). */
  CACHE_RECENT_EMBEDDINGS: envInt(1000, 0),
  BATCHER_ADDRESS: envAddress('127.0.0.1:50054'),
  /** Shared Redis store when set (redis:// or rediss://); the in-memory store otherwise. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'expected redis://host:port or rediss://host:port')
    .optional(),
  /** Namespace of every cache key in Redis (a ':' is added); replicas that share a cache share it. */
  CACHE_REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[^\s*?[\]\\]{1,200}$/, 'expected 1-200 characters without spaces or glob characters (* ? [ ] \\)')
    .default('switchyard:cache')
    .transform((prefix) => (prefix.endsWith(':') ? prefix : `${prefix}:`)),
  /** A Redis call slower than this fails (a lookup then is a miss). */
  CACHE_REDIS_COMMAND_TIMEOUT_MS: envInt(500, 10, 60_000),
  /** Change-stream length kept in Redis; a replica further behind rebuilds its index. */
  CACHE_REDIS_STREAM_MAX_LENGTH: envInt(100_000, 1_000),
  /** How often expired entries are removed (and the removal sent to every replica). */
  CACHE_SWEEP_INTERVAL_MS: envInt(1_000, 50, 60_000),
  /** Scopes up to this many vectors are scanned exactly; larger ones use an HNSW graph. */
  CACHE_INDEX_FLAT_LIMIT: envInt(1_024, 0),
  /** How HNSW graphs hold vectors (candidates are re-scored with the exact vector). */
  CACHE_INDEX_QUANTIZATION: z.enum(['i8', 'f16', 'f32']).default('i8'),
  CACHE_INDEX_CONNECTIVITY: envInt(16, 4, 64),
  CACHE_INDEX_EXPANSION_ADD: envInt(128, 8, 1_024),
  CACHE_INDEX_EXPANSION_SEARCH: envInt(256, 8, 1_024),
});

export type CacheConfig = z.infer<typeof cacheConfigSchema>;
