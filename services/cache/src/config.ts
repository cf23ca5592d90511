import { z } from 'zod';
import { envAddress, envBoolean, envInt, envJson, envNumber, grpcServerSettings } from '@switchyard/service-kit';

/** Settings of the cache; every key is an environment variable (see README). */
export const cacheConfigSchema = z.object({
  ...grpcServerSettings(50053),
  /** Default cosine threshold for a semantic hit, in (0, 1]. */
  CACHE_SIMILARITY_THRESHOLD: envNumber(0.95, 0.01, 1),
  /** JSON map tenant -> threshold, e.g. {"team-a":0.98}. */
  CACHE_TENANT_SIMILARITY_THRESHOLDS: envJson(z.record(z.string().min(1), z.number().gt(0).max(1)), {}),
  CACHE_DEFAULT_TTL_SECONDS: envInt(3600, 1),
  CACHE_MAX_ENTRIES: envInt(100_000, 1),
  CACHE_MAX_BYTES: envInt(256 * 1024 * 1024, 1024),
  /** Whether answers to requests with temperature > 0 are cached. */
  CACHE_SAMPLED: envBoolean(true),
  /** `lexical` (offline hashed n-grams) or `upstream` (the embedding model, through the batcher). */
  CACHE_EMBEDDER: z.enum(['lexical', 'upstream']).default('lexical'),
  CACHE_EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
  CACHE_EMBEDDING_DIMENSIONS: envInt(1536, 1),
  /** Recently computed embeddings kept for reuse between a lookup and its store (0 disables). */
  CACHE_RECENT_EMBEDDINGS: envInt(1000, 0),
  BATCHER_ADDRESS: envAddress('127.0.0.1:50054'),
});
