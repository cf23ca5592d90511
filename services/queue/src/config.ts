import { z } from 'zod';
import { envInt, envJson, grpcServerSettings } from '@switchyard/service-kit';
import { MAX_MIN_SHARE_PERCENT, poolOverridesSchema } from './admission';

/** Settings of the queue; every key is an environment variable (see docs/configuration.md and docs/queue.md). */
export const queueConfigSchema = z.object({
  ...grpcServerSettings(50052),
  /** Active leases per pool (a pool is a model); fleet-wide when REDIS_URL is set. */
  QUEUE_MAX_CONCURRENT: envInt(100, 1, 1_000_000),
  /** Waiters per pool before the lowest priority is shed; 0 = grant at once or refuse. */
  QUEUE_MAX_QUEUE_SIZE: envInt(1000, 0, 1_000_000),
  /** A lease neither released nor renewed within this time lapses and its slot is reused. */
  QUEUE_LEASE_TTL_MS: envInt(120_000, 1000),
  /** Share of contended grants owed to less urgent priorities; 0 = strict priority. */
  QUEUE_MIN_SHARE_PERCENT: envInt(0, 0, MAX_MIN_SHARE_PERCENT),
  /** Per-pool overrides, e.g. {"gpt-4o":{"maxConcurrent":20}}. */
  QUEUE_POOLS: envJson(poolOverridesSchema, {}),
  QUEUE_RETRY_AFTER_MIN_MS: envInt(100, 0),
  QUEUE_RETRY_AFTER_MAX_MS: envInt(30_000, 1),
  /** Unset: one replica, state in memory. Set: state in Redis, shared by every replica with the same prefix. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'expected redis://host:port[/db] or rediss://...')
    .optional(),
  /** Namespace of the queue's keys; replicas with the same prefix share pools. No braces: they would break the hash tag. */
  QUEUE_REDIS_KEY_PREFIX: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[^{}\s]+$/, 'must not contain braces or whitespace')
    .default('switchyard:queue'),
  /** While Redis is unreachable: refuse with UNAVAILABLE, or admit against per-replica limits. */
  QUEUE_REDIS_FAILURE_MODE: z.enum(['fail-closed', 'local']).default('fail-closed'),
  /** In `local` mode each replica admits floor(max_concurrent / this) per pool; set it to your replica count. */
  QUEUE_REDIS_FALLBACK_REPLICAS: envInt(1, 1, 10_000),
  /** A replica silent this long is presumed dead and its waiters leave the queue; it heartbeats 5 times per period. */
  QUEUE_REDIS_REPLICA_TTL_MS: envInt(5_000, 250, 600_000),
  /** A Redis command unanswered this long counts as an outage (the connection is rebuilt). */
  QUEUE_REDIS_COMMAND_TIMEOUT_MS: envInt(1_000, 10, 60_000),
});

export type QueueConfig = z.infer<typeof queueConfigSchema>;
