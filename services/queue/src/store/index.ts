import { randomUUID } from 'node:crypto';
import type { Logger } from '@switchyard/service-kit';
import { PriorityRequestQueue, type AdmissionConfig, type AdmissionController, type AdmissionEvent } from '../admission';
import { localShareConfig } from './local-fallback';
import { LOCAL_LEASE_PREFIX, RedisAdmissionController, type RedisFailureMode } from './redis/redis-admission-controller';

export { localShareConfig } from './local-fallback';
export { LOCAL_LEASE_PREFIX, RedisAdmissionController, type RedisAdmissionOptions, type RedisFailureMode } from './redis/redis-admission-controller';

export interface StoreSettings {
  /** Unset: in-memory, one replica. */
  readonly redisUrl?: string;
  readonly keyPrefix: string;
  readonly failureMode: RedisFailureMode;
  readonly fallbackReplicas: number;
  readonly replicaTtlMs: number;
  readonly commandTimeoutMs: number;
}

/** The in-memory queue a Redis replica admits with while Redis is unreachable (QUEUE_REDIS_FAILURE_MODE=local). */
export function createLocalFallback(config: AdmissionConfig, replicas: number, onEvent?: (event: AdmissionEvent) => void): PriorityRequestQueue {
  return new PriorityRequestQueue({
    config: localShareConfig(config, replicas),
    onEvent,
    backend: 'local-fallback',
    newLeaseId: () => LOCAL_LEASE_PREFIX + randomUUID(),
  });
}

/** How long start-up waits for Redis before serving anyway (admission then follows the failure mode). */
const CONNECT_WAIT_MS = 3_000;

/** The in-memory queue when no Redis is configured, else the Redis store (with its local fallback in `local` mode). */
export async function createAdmissionController(
  config: AdmissionConfig,
  store: StoreSettings,
  logger: Logger,
  onEvent?: (event: AdmissionEvent) => void,
): Promise<AdmissionController> {
  if (!store.redisUrl) {
    logger.info('queue: admission state in memory (one replica); set REDIS_URL to share limits across replicas');
    return new PriorityRequestQueue({ config, onEvent });
  }
  const fallback = store.failureMode === 'local' ? createLocalFallback(config, store.fallbackReplicas, onEvent) : undefined;
  const controller = new RedisAdmissionController({
    url: store.redisUrl,
    keyPrefix: store.keyPrefix,
    config,
    failureMode: store.failureMode,
    fallback,
    replicaTtlMs: store.replicaTtlMs,
    commandTimeoutMs: store.commandTimeoutMs,
    logger,
    onEvent,
  });
  if (await controller.start(CONNECT_WAIT_MS)) {
    logger.info({ keyPrefix: store.keyPrefix, failureMode: store.failureMode, replicaId: controller.replicaId }, 'queue: admission state in Redis, shared by every replica with this key prefix');
  }
  return controller;
}
