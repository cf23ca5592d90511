import type { Logger } from '@switchyard/service-kit';
import type { Meter } from '@switchyard/telemetry';
import { priorityName, type AdmissionController, type AdmissionEvent } from './admission';

/**
 * The queue's OpenTelemetry instruments (names agreed across the team). Counters and the wait histogram follow
 * admission events as they happen on this replica; the gauges read Stats at each collection. With Redis the gauges
 * describe the whole fleet's pool, so every replica reports the same value: aggregate them with max, not sum.
 */
export function queueMetrics(meter: Meter, logger: Logger) {
  const outcomes = meter.createCounter('switchyard.queue.outcomes', { description: 'Admission outcomes (granted, released, shed, rejected, expired, cancelled, lapsed)' });
  const wait = meter.createHistogram('switchyard.queue.wait', { description: 'Time from arrival to grant or refusal', unit: 'ms' });
  const depth = meter.createObservableGauge('switchyard.queue.depth', { description: 'Requests waiting for a lease, per pool and priority' });
  const activeLeases = meter.createObservableGauge('switchyard.queue.active_leases', { description: 'Leases currently held, per pool' });

  return {
    onEvent(event: AdmissionEvent): void {
      const attributes = { pool: event.pool, priority: priorityName(event.priority), outcome: event.type };
      outcomes.add(1, attributes);
      // released and lapsed carry the wait of a grant already recorded.
      if (event.type !== 'released' && event.type !== 'lapsed') wait.record(event.waitMs, attributes);
      if (event.type === 'lapsed') logger.warn({ pool: event.pool, tenant: event.tenant, holdMs: event.holdMs }, 'lease lapsed: its holder never released it');
    },

    /** Registers the gauges' callback on `queue`; a Stats failure (Redis down, failing closed) skips one collection. */
    observe(queue: AdmissionController): void {
      meter.addBatchObservableCallback(
        async (observer) => {
          try {
            for (const stats of await queue.stats()) {
              observer.observe(activeLeases, stats.activeLeases, { pool: stats.pool });
              for (const level of stats.depthByPriority) {
                observer.observe(depth, level.depth, { pool: stats.pool, priority: priorityName(level.priority) });
              }
            }
          } catch (err) {
            logger.debug({ err }, 'queue gauges skipped: stats unavailable');
          }
        },
        [depth, activeLeases],
      );
    },
  };
}
