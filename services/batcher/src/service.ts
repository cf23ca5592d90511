import type { regionV1 } from '@switchyard/contracts';
import { defineService, type PromiseClient } from '@switchyard/service-kit';
import { systemClock, systemTimers } from '@switchyard/service-kit/clock';
import { contextFromTraceparent, getMeter, getTracer, inSpan, linkFromTraceparent, type Link } from '@switchyard/telemetry';
import { Batcher, parseBatchKey } from './batching';
import { batcherConfigSchema } from './config';
import { dispatchToRegion } from './dispatch/dispatch-to-region';
import type { WorkItem, WorkResult } from './dispatch/work-item';
import { batcherBinding } from './server';

export interface BatcherDeps {
  regionRouter: PromiseClient<typeof regionV1.RegionRouterServiceService>;
}

/** The batcher service: groups compatible requests into one region-router dispatch. */
export const batcherService = defineService({
  name: 'batcher',
  schema: batcherConfigSchema,
  build: (config, logger, deps: BatcherDeps) => {
    const { regionRouter } = deps;
    const tracer = getTracer('batcher');
    const meter = getMeter('batcher');
    const batchSize = meter.createHistogram('switchyard.batch.size', { description: 'Requests per upstream dispatch', unit: '{request}' });
    const batchWait = meter.createHistogram('switchyard.batch.wait', { description: 'Wait of the oldest request of a batch', unit: 'ms' });
    const callsSaved = meter.createCounter('switchyard.batch.upstream_calls_saved', {
      description: 'Upstream calls avoided by sending requests together (requests that reached an upstream minus the calls made)',
      unit: '{call}',
    });

    const batcher = new Batcher<WorkItem, WorkResult>(
      {
        maxBatchSize: config.BATCHER_MAX_BATCH_SIZE,
        maxWaitMs: config.BATCHER_MAX_WAIT_MS,
        minSlackMs: config.BATCHER_MIN_SLACK_MS,
        maxBatchWeight: config.BATCHER_MAX_EMBEDDING_INPUTS,
      },
      {
        clock: systemClock,
        timers: systemTimers,
        weigh: (item) => item.embedding?.inputs.length ?? 1,
        onBatch: ({ size, waitMs, reason }) => {
          batchSize.record(size, { reason });
          batchWait.record(waitMs, { reason });
        },
        // The batch span is a child of its first request and links to every request it carries
        // (OpenTelemetry's pattern for batching); each upstream span still joins its own request's trace.
        dispatch: (key, items) =>
          inSpan(
            tracer,
            'batch.dispatch',
            {
              parent: contextFromTraceparent(items[0]!.traceparent),
              links: items.map((i) => linkFromTraceparent(i.traceparent)).filter((l): l is Link => l !== undefined),
              attributes: { 'switchyard.batch.key': key, 'switchyard.batch.size': items.length },
            },
            async (span) => {
              const { outcomes, upstreamCallsSaved } = await dispatchToRegion(regionRouter, key, items, Date.now() + config.BATCHER_DEFAULT_DEADLINE_MS);
              span.setAttribute('switchyard.batch.upstream_calls_saved', upstreamCallsSaved);
              if (upstreamCallsSaved > 0) callsSaved.add(upstreamCallsSaved, { kind: parseBatchKey(key).kind });
              return outcomes;
            },
          ),
      },
    );
    return {
      bindings: [batcherBinding(batcher, logger, config.BATCHER_MAX_EMBEDDING_INPUTS)],
      close: async () => {
        await batcher.close();
        regionRouter.close();
      },
    };
  },
});
