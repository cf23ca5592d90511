import type { AdmissionConfig, PoolLimits } from '../admission';

/**
 * The limits a replica applies on its own while Redis is unreachable (QUEUE_REDIS_FAILURE_MODE=local): each
 * pool's max_concurrent divided by the replica count the operator declared, rounded down but at least 1. With
 * that count right, the fleet stays within its global limit; with it too low the fleet admits up to
 * replicas x share, which is bounded, logged, and never unlimited.
 */
export function localShareConfig(config: AdmissionConfig, replicas: number): AdmissionConfig {
  const share = (limit: number) => Math.max(1, Math.floor(limit / replicas));
  const pools: Record<string, Partial<PoolLimits>> = {};
  for (const [name, override] of Object.entries(config.pools ?? {})) {
    pools[name] = override.maxConcurrent === undefined ? override : { ...override, maxConcurrent: share(override.maxConcurrent) };
  }
  return { ...config, defaults: { ...config.defaults, maxConcurrent: share(config.defaults.maxConcurrent) }, pools };
}
