import { randomUUID } from 'node:crypto';
import { gatewayV1, inferenceV1, type cacheV1 } from '@switchyard/contracts';
import type { CompleteInput } from '../validation/validate-request';
import type { GatewayPorts, PipelineObserver } from './ports';

export interface CompleteResult {
  content: string;
  usage: gatewayV1.Usage;
  route: gatewayV1.Route;
}

/**
 * The request path of ARCHITECTURE.md §2 for one completion: model router -> cache -> queue ->
 * batcher (-> region router) -> release -> cache store. The cache may fail without failing the
 * request; the lease is always released, and the store happens after the answer is on its way.
 */
export async function completeRequest(
  tenant: string,
  input: CompleteInput,
  ports: GatewayPorts,
  observer: PipelineObserver,
): Promise<CompleteResult> {
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
  const key: cacheV1.CacheKeyInput = {
    tenant,
    model: selection.model,
    messages: input.messages,
    temperature: input.temperature,
    maxTokens: input.maxTokens,
  };

  if (!input.cacheBypass) {
    const hit = await lookupOrMiss(ports, observer, { key, similarityThreshold: input.cacheSimilarityThreshold });
    if (hit && hit.status !== gatewayV1.CacheStatus.CACHE_STATUS_MISS) {
      return { content: hit.content, usage: hit.usage ?? { inputTokens: 0, outputTokens: 0 }, route: { ...route, cache: hit.status, similarity: hit.similarity } };
    }
  }

  const lease = await ports.queue.acquire({ pool: selection.model, tenant, priority: input.priority, requestId: randomUUID() });
  route.queueWaitMs = lease.queueWaitMs;
  let usage: gatewayV1.Usage | undefined;
  try {
    const executed = await ports.batcher.execute({
      kind: inferenceV1.WorkKind.WORK_KIND_COMPLETION,
      model: selection.model,
      priority: input.priority,
      tenant,
      userRegion: input.userRegion,
      completion: { messages: input.messages, temperature: input.temperature, maxTokens: input.maxTokens },
    });
    const completion = executed.completion ?? { content: '', usage: undefined, finishReason: '' };
    usage = completion.usage ?? { inputTokens: 0, outputTokens: 0 };
    Object.assign(route, { region: executed.region, batchSize: executed.batchSize, batchWaitMs: executed.batchWaitMs, attempts: executed.attempts });
    const content = completion.content;
    void ports.cache.store({ key, content, usage, ttlSeconds: 0 }).catch((err: unknown) => observer.degraded('cache-store-failed', err));
    return { content, usage, route };
  } finally {
    void ports.queue.release({ pool: selection.model, leaseId: lease.leaseId, usage }).catch((err: unknown) => observer.degraded('release-failed', err));
  }
}

async function lookupOrMiss(
  ports: GatewayPorts,
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
