import { cacheV1, gatewayV1 } from '@switchyard/contracts';
import { unary, type Logger, type ServiceBinding } from '@switchyard/service-kit';
import { InvalidArgument } from '@switchyard/service-kit/errors';
import { getMeter, trace } from '@switchyard/telemetry';
import type { CacheKeyInput, CacheStatus, InvalidateRequest, ResponseCache } from './caching';

const STATUS: Record<CacheStatus, gatewayV1.CacheStatus> = {
  exact: gatewayV1.CacheStatus.CACHE_STATUS_EXACT,
  semantic: gatewayV1.CacheStatus.CACHE_STATUS_SEMANTIC,
  miss: gatewayV1.CacheStatus.CACHE_STATUS_MISS,
};

const keyOf = (key: cacheV1.CacheKeyInput | undefined): CacheKeyInput =>
  key ?? { tenant: '', model: '', messages: [], temperature: 0, maxTokens: 0 };

function invalidateRequestOf(request: cacheV1.InvalidateRequest): InvalidateRequest {
  const { tenant, target } = request;
  switch (target?.$case) {
    case 'all':
      if (!target.value) throw new InvalidArgument('all', 'must be true to invalidate every entry of the tenant');
      return { kind: 'tenant', tenant };
    case 'request':
      return { kind: 'request', tenant, request: keyOf(target.value) };
    case 'scopeOf':
      return { kind: 'scope', tenant, request: keyOf(target.value) };
    case 'entryKey':
      return { kind: 'entry', tenant, entryKey: target.value };
    default:
      throw new InvalidArgument('target', 'set one of all, request, scope_of or entry_key');
  }
}

/**
 * gRPC handlers of CacheService. Every lookup that consulted the semantic tier records its nearest
 * similarity (span attribute and histogram) so operators can tune thresholds from real traffic.
 */
export function cacheBinding(cache: ResponseCache, logger: Logger): ServiceBinding {
  const meter = getMeter('cache');
  const lookups = meter.createCounter('switchyard.cache.lookups', { description: 'Cache lookups by result (exact, semantic, miss)' });
  const nearest = meter.createHistogram('switchyard.cache.similarity', {
    description: 'Exact cosine similarity of the nearest candidate of each semantic lookup (0 when the scope is empty)',
  });
  const rejections = meter.createCounter('switchyard.cache.rejections', {
    description: 'Semantic lookups whose best candidate above the threshold was refused by verification, by reason',
  });
  const entries = meter.createObservableGauge('switchyard.cache.entries', { description: 'Entries in the cache store' });
  const memory = meter.createObservableGauge('switchyard.cache.memory', {
    description: 'Estimated bytes: the entries in the store (kind=store) and this replica\'s vector index (kind=index)',
    unit: 'By',
  });
  meter.addBatchObservableCallback(async (observer) => {
    try {
      const stats = await cache.stats();
      observer.observe(entries, stats.entries);
      observer.observe(memory, stats.memoryBytes, { kind: 'store' });
      observer.observe(memory, stats.index.memoryBytes, { kind: 'index' });
    } catch {
      // The store is down: no observation rather than a wrong one.
    }
  }, [entries, memory]);

  const implementation: cacheV1.CacheServiceServer = {
    lookup: unary(logger, 'Lookup', async (request: cacheV1.LookupRequest): Promise<cacheV1.LookupResponse> => {
      const result = await cache.lookup(keyOf(request.key), { similarityThreshold: request.similarityThreshold });
      lookups.add(1, { result: result.status });
      const semanticTried = result.status === 'semantic' || (result.status === 'miss' && !result.bypassed && !result.exactOnlyReason);
      if (semanticTried) nearest.record(result.similarity, { result: result.status });
      if (result.rejectedReason) rejections.add(1, { reason: result.rejectedReason });
      trace.getActiveSpan()?.setAttributes({
        'switchyard.cache.result': result.status,
        'switchyard.cache.similarity': result.similarity,
        ...(result.rejectedReason ? { 'switchyard.cache.rejected_reason': result.rejectedReason } : {}),
        ...(result.exactOnlyReason ? { 'switchyard.cache.exact_only_reason': result.exactOnlyReason } : {}),
        ...(result.bypassed ? { 'switchyard.cache.bypassed': true } : {}),
      });
      return {
        status: STATUS[result.status],
        content: result.content ?? '',
        usage: result.usage,
        similarity: result.similarity,
        entryKey: result.entryKey ?? '',
        rejectedReason: result.rejectedReason ?? '',
      };
    }),
    store: unary(logger, 'Store', async (request: cacheV1.StoreRequest): Promise<cacheV1.StoreResponse> => {
      const usage = request.usage ?? { inputTokens: 0, outputTokens: 0 };
      const result = await cache.store(keyOf(request.key), request.content, usage, request.ttlSeconds);
      return { stored: result.stored };
    }),
    stats: unary(logger, 'Stats', async (request: cacheV1.StatsRequest): Promise<cacheV1.StatsResponse> => {
      const stats = await cache.stats(request.tenant === '' ? undefined : request.tenant);
      return {
        entries: String(stats.entries),
        exactHits: String(stats.exactHits),
        semanticHits: String(stats.semanticHits),
        misses: String(stats.misses),
        memoryBytes: String(stats.memoryBytes),
        evictions: String(stats.evictions),
        expirations: String(stats.expirations),
        exactHitRatio: stats.exactHitRatio,
        semanticHitRatio: stats.semanticHitRatio,
        verificationRejections: String(stats.verificationRejections),
        embedderErrors: String(stats.embedderErrors),
        indexVectors: String(stats.index.vectors),
        indexMemoryBytes: String(stats.index.memoryBytes),
        indexScopes: String(stats.index.scopes),
        store: stats.store,
        storeErrors: String(stats.storeErrors),
        bypassed: String(stats.bypassed),
      };
    }),
    invalidate: unary(logger, 'Invalidate', async (request: cacheV1.InvalidateRequest): Promise<cacheV1.InvalidateResponse> => {
      const target = invalidateRequestOf(request);
      const removed = await cache.invalidate(target);
      // Who removed what is an operator's question later; no request text is logged.
      logger.info({ tenant: request.tenant, target: target.kind, removed }, 'cache entries invalidated');
      return { removed: String(removed) };
    }),
  };
  return { name: 'switchyard.cache.v1.CacheService', definition: cacheV1.CacheServiceService, implementation };
}
