import { cacheV1, gatewayV1 } from '@switchyard/contracts';
import { unary, type Logger, type ServiceBinding } from '@switchyard/service-kit';
import { getMeter, trace } from '@switchyard/telemetry';
import type { CacheKeyInput, CacheStatus, ResponseCache } from './caching';

const STATUS: Record<CacheStatus, gatewayV1.CacheStatus> = {
  exact: gatewayV1.CacheStatus.CACHE_STATUS_EXACT,
  semantic: gatewayV1.CacheStatus.CACHE_STATUS_SEMANTIC,
  miss: gatewayV1.CacheStatus.CACHE_STATUS_MISS,
};

/** gRPC handlers of CacheService. Every lookup records its nearest similarity so operators can tune thresholds. */
export function cacheBinding(cache: ResponseCache, logger: Logger): ServiceBinding {
  const meter = getMeter('cache');
  const lookups = meter.createCounter('switchyard.cache.lookups', { description: 'Cache lookups by result (exact, semantic, miss)' });
  const nearest = meter.createHistogram('switchyard.cache.similarity', { description: 'Similarity of the nearest candidate of each semantic lookup' });
  const keyOf = (key: cacheV1.CacheKeyInput | undefined): CacheKeyInput => key ?? { tenant: '', model: '', messages: [], temperature: 0, maxTokens: 0 };

  const implementation: cacheV1.CacheServiceServer = {
    lookup: unary(logger, 'Lookup', async (request: cacheV1.LookupRequest): Promise<cacheV1.LookupResponse> => {
      const result = await cache.lookup(keyOf(request.key), { similarityThreshold: request.similarityThreshold });
      lookups.add(1, { result: result.status });
      if (result.status !== 'exact') nearest.record(result.similarity, { result: result.status });
      trace.getActiveSpan()?.setAttributes({ 'switchyard.cache.result': result.status, 'switchyard.cache.similarity': result.similarity });
      return { status: STATUS[result.status], content: result.content ?? '', usage: result.usage, similarity: result.similarity };
    }),
    store: unary(logger, 'Store', async (request: cacheV1.StoreRequest): Promise<cacheV1.StoreResponse> => {
      const usage = request.usage ?? { inputTokens: 0, outputTokens: 0 };
      const result = await cache.store(keyOf(request.key), request.content, usage, request.ttlSeconds);
      return { stored: result.stored };
    }),
    stats: unary(logger, 'Stats', async (): Promise<cacheV1.StatsResponse> => {
      const stats = await cache.stats();
      return {
        entries: String(stats.entries),
        exactHits: String(stats.exactHits),
        semanticHits: String(stats.semanticHits),
        misses: String(stats.misses),
        memoryBytes: String(stats.memoryBytes),
        evictions: String(stats.evictions),
      };
    }),
  };
  return { name: 'switchyard.cache.v1.CacheService', definition: cacheV1.CacheServiceService, implementation };
}
