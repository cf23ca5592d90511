import { gatewayV1, inferenceV1 } from '@switchyard/contracts';
import type { EmbedInput } from '../validation/validate-request';
import { holdLease, type IntervalTimers } from './lease';
import type { GatewayPorts, PipelineObserver } from './ports';

export interface EmbedResult {
  embeddings: gatewayV1.Embedding[];
  usage: gatewayV1.Usage;
  route: gatewayV1.Route;
}

/** Embeddings skip the model router and the cache: queue -> batcher (one upstream call per batch) -> release. */
export async function embedRequest(
  tenant: string,
  input: EmbedInput,
  ports: Pick<GatewayPorts, 'queue' | 'batcher'>,
  observer: PipelineObserver,
  timers?: IntervalTimers,
): Promise<EmbedResult> {
  const lease = await holdLease(ports.queue, { pool: input.model, tenant, priority: input.priority }, observer, timers);
  let usage: gatewayV1.Usage | undefined;
  try {
    const executed = await ports.batcher.execute({
      kind: inferenceV1.WorkKind.WORK_KIND_EMBEDDING,
      model: input.model,
      priority: input.priority,
      tenant,
      userRegion: input.userRegion,
      embedding: { inputs: input.inputs },
    });
    const output = executed.embedding ?? { embeddings: [], usage: undefined };
    usage = output.usage ?? { inputTokens: 0, outputTokens: 0 };
    return {
      embeddings: output.embeddings,
      usage,
      route: {
        model: input.model,
        tier: 'embedding',
        region: executed.region,
        cache: gatewayV1.CacheStatus.CACHE_STATUS_MISS,
        similarity: 0,
        queueWaitMs: lease.queueWaitMs,
        batchSize: executed.batchSize,
        reason: 'embedding request',
        batchWaitMs: executed.batchWaitMs,
        attempts: executed.attempts,
      },
    };
  } finally {
    lease.release(usage);
  }
}
