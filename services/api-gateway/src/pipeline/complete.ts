import { inferenceV1, type gatewayV1 } from '@switchyard/contracts';
import type { CompleteInput } from '../validation/validate-request';
import { holdLease, type IntervalTimers } from './lease';
import { planCompletion, storeAnswer } from './plan-completion';
import type { GatewayPorts, PipelineObserver } from './ports';

export interface CompleteResult {
  content: string;
  usage: gatewayV1.Usage;
  route: gatewayV1.Route;
  finishReason: string;
}

/**
 * The request path of ARCHITECTURE.md §2 for one completion: model router -> cache -> queue ->
 * batcher (-> region router) -> release -> cache store. The cache may fail without failing the
 * request; the lease is always released, and the store happens after the answer is on its way.
 */
export async function completeRequest(
  tenant: string,
  input: CompleteInput,
  ports: Pick<GatewayPorts, 'modelRouter' | 'cache' | 'queue' | 'batcher'>,
  observer: PipelineObserver,
  timers?: IntervalTimers,
): Promise<CompleteResult> {
  const { route, cacheKey, hit } = await planCompletion(tenant, input, ports, observer);
  if (hit) return { content: hit.content, usage: hit.usage, route, finishReason: 'stop' };

  const lease = await holdLease(ports.queue, { pool: route.model, tenant, priority: input.priority }, observer, timers);
  route.queueWaitMs = lease.queueWaitMs;
  let usage: gatewayV1.Usage | undefined;
  try {
    const executed = await ports.batcher.execute({
      kind: inferenceV1.WorkKind.WORK_KIND_COMPLETION,
      model: route.model,
      priority: input.priority,
      tenant,
      userRegion: input.userRegion,
      completion: { messages: input.messages, temperature: input.temperature, maxTokens: input.maxTokens },
    });
    const completion = executed.completion ?? { content: '', usage: undefined, finishReason: '' };
    usage = completion.usage ?? { inputTokens: 0, outputTokens: 0 };
    Object.assign(route, { region: executed.region, batchSize: executed.batchSize, batchWaitMs: executed.batchWaitMs, attempts: executed.attempts });
    if (!input.cacheNoStore) storeAnswer(ports, observer, cacheKey, completion.content, usage);
    return { content: completion.content, usage, route, finishReason: completion.finishReason || 'stop' };
  } finally {
    lease.release(usage);
  }
}
