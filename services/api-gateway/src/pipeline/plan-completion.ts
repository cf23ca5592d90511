import { gatewayV1, type cacheV1 } from '@switchyard/contracts';
import type { CompleteInput } from '../validation/validate-request';
import type { GatewayPorts, PipelineObserver } from './ports';

export interface CompletionPlan {
  /** Filled in as the request travels; a copy goes out with the answer. */
  route: gatewayV1.Route;
  cacheKey: cacheV1.CacheKeyInput;
  /** Set when the cache answered: no queue, no upstream. */
  hit?: { content: string; usage: gatewayV1.Usage };
}

/**
 * The first steps every completion takes, streamed or not: the model router chooses the model and the cache
 * may answer (both at once when the request names its model). A cache outage is a miss (ARCHITECTURE.md §5), reported to the observer.
 */
export async function planCompletion(
  tenant: string,
  input: CompleteInput,
  ports: Pick<GatewayPorts, 'modelRouter' | 'cache'>,
  observer: PipelineObserver,
): Promise<CompletionPlan> {
  const keyFor = (model: string): cacheV1.CacheKeyInput => ({ tenant, model, messages: input.messages, temperature: input.temperature, maxTokens: input.maxTokens });
  const lookup = (key: cacheV1.CacheKeyInput) => lookupOrMiss(ports, observer, { key, similarityThreshold: input.cacheSimilarityThreshold });
  // A named model is the model the router returns (or it refuses the request), so the cache scope is known up
  // front and the lookup runs beside the selection: one hop less on the latency path (docs/benchmarks.md).
  const named = input.model.trim();
  const early = named && !input.cacheBypass ? lookup(keyFor(named)) : undefined;
  // If the selection fails, the early lookup's answer is dropped; it never rejects (outages are misses).
  const selection = await ports.modelRouter.select({
    messages: input.messages,
    model: input.model,
    requireReasoning: input.requireReasoning,
    maxLatencyMs: input.maxLatencyMs,
    maxTokens: input.maxTokens,
    tenant,
  });
  const route: gatewayV1.Route = {
    model: selection.model,
    tier: selection.tier,
    region: '',
    cache: gatewayV1.CacheStatus.CACHE_STATUS_MISS,
    similarity: 0,
    queueWaitMs: 0,
    batchSize: 0,
    reason: selection.reason,
    batchWaitMs: 0,
    attempts: 0,
  };
  const cacheKey = keyFor(selection.model);
  if (input.cacheBypass) return { route, cacheKey };
  const found = early && named === selection.model ? await early : await lookup(cacheKey);
  if (!found || found.status === gatewayV1.CacheStatus.CACHE_STATUS_MISS || found.status === gatewayV1.CacheStatus.CACHE_STATUS_UNSPECIFIED) {
    return { route, cacheKey };
  }
  return {
    route: { ...route, cache: found.status, similarity: found.similarity },
    cacheKey,
    hit: { content: found.content, usage: found.usage ?? { inputTokens: 0, outputTokens: 0 } },
  };
}

/** Stores a complete answer after it went out; a failure here is logged, never returned (ADR 0003). */
export function storeAnswer(
  ports: Pick<GatewayPorts, 'cache'>,
  observer: PipelineObserver,
  cacheKey: cacheV1.CacheKeyInput,
  content: string,
  usage: gatewayV1.Usage,
): void {
  void ports.cache.store({ key: cacheKey, content, usage, ttlSeconds: 0 }).catch((err: unknown) => observer.degraded('cache-store-failed', err));
}

async function lookupOrMiss(
  ports: Pick<GatewayPorts, 'cache'>,
  observer: PipelineObserver,
  request: cacheV1.LookupRequest,
): Promise<cacheV1.LookupResponse | undefined> {
  try {
    return await ports.cache.lookup(request);
  } catch (err) {
    // A cache outage costs latency and money, never the answer.
    observer.degraded('cache-lookup-failed', err);
    return undefined;
  }
}
