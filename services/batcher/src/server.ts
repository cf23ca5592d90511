import { batcherV1 } from '@switchyard/contracts';
import { unary, type Logger, type ServiceBinding } from '@switchyard/service-kit';
import { activeTraceparent, getTracer, inSpan, type Span } from '@switchyard/telemetry';
import { batchKey, type Batcher } from './batching';
import type { WorkItem, WorkResult } from './dispatch/work-item';
import { validateExecute } from './execute/validate-execute';

const tracer = getTracer('batcher');

/** gRPC handler of BatcherService.Execute: validate, join a batch, answer with this item's result. */
export function batcherBinding(batcher: Batcher<WorkItem, WorkResult>, logger: Logger, maxEmbeddingInputs: number): ServiceBinding {
  const implementation: batcherV1.BatcherServiceServer = {
    execute: unary(logger, 'Execute', async (request: batcherV1.ExecuteRequest, ctx): Promise<batcherV1.ExecuteResponse> => {
      const { kind, priority } = validateExecute(request, maxEmbeddingInputs);
      const key = batchKey({ kind, model: request.model, userRegion: request.userRegion });
      // The wait span is the parent of this item's upstream span, wherever in the batch it travels.
      return inSpan(tracer, 'batch.wait', { attributes: { 'switchyard.batch.key': key } }, async (span) => {
        const item: WorkItem = {
          tenant: request.tenant,
          completion: request.completion,
          embedding: request.embedding,
          traceparent: activeTraceparent(),
          deadlineMs: ctx.deadline?.getTime(),
        };
        const { value, batchSize, batchWaitMs } = await batcher.submit(key, item, { priority, deadlineMs: item.deadlineMs, signal: ctx.signal });
        recordRoute(span, value, batchSize, batchWaitMs);
        return {
          completion: value.completion,
          embedding: value.embedding,
          region: value.region,
          batchSize,
          batchWaitMs,
          attempts: value.attempts,
          upstream: value.upstream,
        };
      });
    }),
  };
  return { name: 'switchyard.batcher.v1.BatcherService', definition: batcherV1.BatcherServiceService, implementation };
}

/**
 * The route on this request's own span: the region that served it, how many attempts it took, and one event
 * per upstream attempt. The attempt spans of a shared embedding call live in the first request's trace; these
 * events make every request's trace tell its failover story on its own.
 */
function recordRoute(span: Span, value: WorkResult, batchSize: number, batchWaitMs: number): void {
  span.setAttributes({
    'switchyard.batch.size': batchSize,
    'switchyard.batch.wait_ms': batchWaitMs,
    'switchyard.region': value.region,
    'switchyard.upstream.attempts': value.attempts,
  });
  if (value.upstream?.reason) span.setAttribute('switchyard.region.reason', value.upstream.reason);
  value.upstream?.tried.forEach((attempt, index) => {
    span.addEvent('switchyard.upstream.attempt', {
      'switchyard.attempt': index + 1,
      'switchyard.region': attempt.region,
      'switchyard.upstream.outcome': attempt.outcome,
      'switchyard.upstream.duration_ms': attempt.durationMs,
      ...(attempt.httpStatus ? { 'http.response.status_code': attempt.httpStatus } : {}),
      ...(attempt.note ? { 'switchyard.note': attempt.note } : {}),
    });
  });
}
