import { z } from 'zod';
import { envInt, envJson, grpcServerSettings } from '@switchyard/service-kit';
import { poolOverridesSchema } from './admission';

/** Settings of the queue; every key is an environment variable (see README). */
export const queueConfigSchema = z.object({
  ...grpcServerSettings(50052),
  /** Active leases per pool (a pool is a model). */
  QUEUE_MAX_CONCURRENT: envInt(100, 1, 1_000_000),
  /** Waiters per pool before the lowest priority is shed; 0 = grant at once or refuse. */
  QUEUE_MAX_QUEUE_SIZE: envInt(1000, 0, 1_000_000),
  /** A lease neither released nor renewed within this time lapses and its slot is reused. */
  QUEUE_LEASE_TTL_MS: envInt(120_000, 1000),
  /** Per-pool overrides, e.g. {"gpt-4o":{"maxConcurrent":20}}. */
  QUEUE_POOLS: envJson(poolOverridesSchema, {}),
  QUEUE_RETRY_AFTER_MIN_MS: envInt(100, 0),
  QUEUE_RETRY_AFTER_MAX_MS: envInt(30_000, 1),
});
