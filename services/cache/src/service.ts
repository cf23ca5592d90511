import { batcherV1, inferenceV1 } from '@switchyard/contracts';
import { defineService, type PromiseClient } from '@switchyard/service-kit';
import { systemClock } from '@switchyard/service-kit/clock';
import { ResponseCache } from './caching';
import { cacheConfigSchema, type CacheConfig } from './config';
import { LexicalHashEmbedder, UpstreamEmbedder, type Embedder } from './embedding';
import { cacheBinding } from './server';
import { MemoryCacheStore, RedisCacheStore, type CacheStore, type StoreBounds } from './store';
import type { ScopedVectorIndexOptions } from './vector-index';

export interface CacheDeps {
  /** The batcher, for CACHE_EMBEDDER=upstream; unused (and may be absent) otherwise. */
  batcher?: PromiseClient<typeof batcherV1.BatcherServiceService>;
}

/** The cache service: exact and semantic answer lookups, in memory or shared through Redis. */
export const cacheService = defineService({
  name: 'cache',
  schema: cacheConfigSchema,
  build: async (config, logger, deps: CacheDeps) => {
    const batcher = config.CACHE_EMBEDDER === 'upstream' ? deps.batcher : undefined;
    if (config.CACHE_EMBEDDER === 'upstream' && !batcher) throw new Error('CACHE_EMBEDDER=upstream needs a batcher client');
    // Lookups embed through the batcher so many concurrent lookups become one upstream embeddings call.
    const embedder: Embedder = batcher
      ? new UpstreamEmbedder(
          async (texts) => {
            const response = await batcher.execute({
              kind: inferenceV1.WorkKind.WORK_KIND_EMBEDDING,
              model: config.CACHE_EMBEDDING_MODEL,
              priority: 0,
              tenant: 'switchyard-cache',
              userRegion: '',
              completion: undefined,
              embedding: { inputs: texts },
            });
            return (response.embedding?.embeddings ?? []).map((e) => e.values);
          },
          { name: `upstream:${config.CACHE_EMBEDDING_MODEL}`, dimensions: config.CACHE_EMBEDDING_DIMENSIONS },
        )
      : new LexicalHashEmbedder();

    const started = Date.now();
    const store: CacheStore = config.REDIS_URL
      ? await RedisCacheStore.open({
          url: config.REDIS_URL,
          prefix: config.CACHE_REDIS_KEY_PREFIX,
          bounds: boundsOf(config),
          clock: systemClock,
          index: indexOptionsOf(config),
          commandTimeoutMs: config.CACHE_REDIS_COMMAND_TIMEOUT_MS,
          sweepIntervalMs: config.CACHE_SWEEP_INTERVAL_MS,
          streamMaxLength: config.CACHE_REDIS_STREAM_MAX_LENGTH,
          maxTtlMs: config.CACHE_MAX_TTL_SECONDS * 1_000,
          onBackgroundError: (err, during) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, `cache store: failed ${during}`),
        })
      : new MemoryCacheStore({
          bounds: boundsOf(config),
          clock: systemClock,
          index: indexOptionsOf(config),
          sweepIntervalMs: config.CACHE_SWEEP_INTERVAL_MS,
        });
    const index = (await store.stats()).index;
    logger.info(
      { store: store.kind, embedder: embedder.name, indexedVectors: index.vectors, scopes: index.scopes, startupMs: Date.now() - started },
      store.kind === 'redis' ? 'cache index rebuilt from Redis' : 'cache store in memory',
    );

    const cache = new ResponseCache(
      { store, embedder },
      {
        defaultSimilarityThreshold: config.CACHE_SIMILARITY_THRESHOLD,
        tenantSimilarityThresholds: config.CACHE_TENANT_SIMILARITY_THRESHOLDS,
        defaultTtlSeconds: config.CACHE_DEFAULT_TTL_SECONDS,
        maxTtlSeconds: config.CACHE_MAX_TTL_SECONDS,
        policy: {
          semanticMaxMessages: config.CACHE_SEMANTIC_MAX_MESSAGES,
          semanticMaxChars: config.CACHE_SEMANTIC_MAX_CHARS,
          sampled: config.CACHE_SAMPLED_POLICY,
        },
        verification: config.CACHE_VERIFICATION,
        candidates: config.CACHE_CANDIDATES,
        recentEmbeddings: config.CACHE_RECENT_EMBEDDINGS,
        onEmbedderError: (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'embedder failed: lookup fell back to exact match'),
        onStoreError: (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cache store failed: lookup answered as a miss'),
      },
    );
    return {
      bindings: [cacheBinding(cache, logger)],
      close: async () => {
        batcher?.close();
        await store.close();
      },
    };
  },
});

function boundsOf(config: CacheConfig): StoreBounds {
  return {
    maxEntries: config.CACHE_MAX_ENTRIES,
    maxBytes: config.CACHE_MAX_BYTES,
    tenant: { maxEntries: config.CACHE_TENANT_MAX_ENTRIES, maxBytes: config.CACHE_TENANT_MAX_BYTES },
    tenants: new Map(Object.entries(config.CACHE_TENANT_LIMITS)),
  };
}

function indexOptionsOf(config: CacheConfig): Partial<ScopedVectorIndexOptions> {
  return {
    flatLimit: config.CACHE_INDEX_FLAT_LIMIT,
    hnsw: {
      quantization: config.CACHE_INDEX_QUANTIZATION,
      connectivity: config.CACHE_INDEX_CONNECTIVITY,
      expansionAdd: config.CACHE_INDEX_EXPANSION_ADD,
      expansionSearch: config.CACHE_INDEX_EXPANSION_SEARCH,
    },
  };
}
