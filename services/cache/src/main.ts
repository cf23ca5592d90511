import { batcherV1, inferenceV1 } from '@switchyard/contracts';
import { createClient, runService } from '@switchyard/service-kit';
import { ResponseCache, systemClock } from './caching';
import { cacheConfigSchema } from './config';
import { LexicalHashEmbedder, UpstreamEmbedder, type Embedder } from './embedding';
import { cacheBinding } from './server';
import { MemoryCacheStore } from './store';

runService('cache', cacheConfigSchema, (config, logger) => {
  const batcher =
    config.CACHE_EMBEDDER === 'upstream'
      ? createClient(batcherV1.BatcherServiceService, config.BATCHER_ADDRESS, { dependency: 'batcher', maxMessageBytes: config.GRPC_MAX_MESSAGE_BYTES })
      : undefined;
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
  const store = new MemoryCacheStore({ maxEntries: config.CACHE_MAX_ENTRIES, maxBytes: config.CACHE_MAX_BYTES, clock: systemClock });
  const cache = new ResponseCache(
    { store, embedder },
    {
      defaultSimilarityThreshold: config.CACHE_SIMILARITY_THRESHOLD,
      tenantSimilarityThresholds: config.CACHE_TENANT_SIMILARITY_THRESHOLDS,
      defaultTtlSeconds: config.CACHE_DEFAULT_TTL_SECONDS,
      cacheSampled: config.CACHE_SAMPLED,
      recentEmbeddings: config.CACHE_RECENT_EMBEDDINGS,
      onEmbedderError: (err) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'embedder failed: lookup fell back to exact match'),
    },
  );
  logger.info({ embedder: embedder.name }, 'cache embedder');
  return {
    bindings: [cacheBinding(cache, logger)],
    close: () => batcher?.close(),
  };
});
