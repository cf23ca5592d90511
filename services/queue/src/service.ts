import { defineService } from '@switchyard/service-kit';
import { getMeter } from '@switchyard/telemetry';
import type { AdmissionConfig } from './admission';
import { queueConfigSchema } from './config';
import { queueMetrics } from './queue-metrics';
import { queueBinding } from './server';
import { createAdmissionController } from './store';

/** The queue service: admission control per pool, in memory or shared through Redis. */
export const queueService = defineService({
  name: 'queue',
  schema: queueConfigSchema,
  build: async (config, logger) => {
    const metrics = queueMetrics(getMeter('queue'), logger);
    const admission: AdmissionConfig = {
      defaults: {
        maxConcurrent: config.QUEUE_MAX_CONCURRENT,
        maxQueueSize: config.QUEUE_MAX_QUEUE_SIZE,
        leaseTtlMs: config.QUEUE_LEASE_TTL_MS,
        minSharePercent: config.QUEUE_MIN_SHARE_PERCENT,
      },
      pools: config.QUEUE_POOLS,
      retryHint: { minMs: config.QUEUE_RETRY_AFTER_MIN_MS, maxMs: config.QUEUE_RETRY_AFTER_MAX_MS, initialHoldMs: 1000 },
    };
    const queue = await createAdmissionController(
      admission,
      {
        redisUrl: config.REDIS_URL,
        keyPrefix: config.QUEUE_REDIS_KEY_PREFIX,
        failureMode: config.QUEUE_REDIS_FAILURE_MODE,
        fallbackReplicas: config.QUEUE_REDIS_FALLBACK_REPLICAS,
        replicaTtlMs: config.QUEUE_REDIS_REPLICA_TTL_MS,
        commandTimeoutMs: config.QUEUE_REDIS_COMMAND_TIMEOUT_MS,
      },
      logger,
      (event) => metrics.onEvent(event),
    );
    metrics.observe(queue);
    return { bindings: [queueBinding(queue, logger)], close: () => queue.close() };
  },
});
