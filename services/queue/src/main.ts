import { runService } from '@switchyard/service-kit';
import { getMeter } from '@switchyard/telemetry';
import { PriorityRequestQueue, priorityName } from './admission';
import { queueConfigSchema } from './config';
import { queueBinding } from './server';

runService('queue', queueConfigSchema, (config, logger) => {
  const meter = getMeter('queue');
  const outcomes = meter.createCounter('switchyard.queue.outcomes', { description: 'Admission outcomes by type (granted, shed, expired, ...)' });
  const wait = meter.createHistogram('switchyard.queue.wait', { description: 'Time from arrival to grant or refusal', unit: 'ms' });
  const queue = new PriorityRequestQueue({
    config: {
      defaults: { maxConcurrent: config.QUEUE_MAX_CONCURRENT, maxQueueSize: config.QUEUE_MAX_QUEUE_SIZE, leaseTtlMs: config.QUEUE_LEASE_TTL_MS },
      pools: config.QUEUE_POOLS,
      retryHint: { minMs: config.QUEUE_RETRY_AFTER_MIN_MS, maxMs: config.QUEUE_RETRY_AFTER_MAX_MS, initialHoldMs: 1000 },
    },
    onEvent: (event) => {
      const attributes = { pool: event.pool, priority: priorityName(event.priority), outcome: event.type };
      outcomes.add(1, attributes);
      if (event.type !== 'released' && event.type !== 'lapsed') wait.record(event.waitMs, attributes);
      if (event.type === 'lapsed') logger.warn({ pool: event.pool, tenant: event.tenant }, 'lease lapsed: its holder never released it');
    },
  });
  return { bindings: [queueBinding(queue, logger)], close: () => queue.close() };
});
