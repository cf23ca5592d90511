import { metrics } from '@opentelemetry/sdk-node';

/**
 * Histogram bucket boundaries for the agreed Switchyard metrics. The SDK's default buckets
 * (0, 5, 10, 25 ... 10000) suit none of them: similarities live in 0..1, batch sizes are powers of two,
 * and a queue wait of 1 ms vs 4 ms matters. Keyed by instrument name so they hold whichever meter
 * creates the instrument; a service that passes its own `advice` is overridden here on purpose, so the
 * dashboard's quantiles mean the same thing on every replica and version.
 */
export const HISTOGRAM_BUCKETS: Readonly<Record<string, readonly number[]>> = {
  // Milliseconds: waits and latencies inside the gateway, from sub-millisecond hops to a minute's deadline.
  'switchyard.queue.wait': msBuckets(),
  'switchyard.batch.wait': msBuckets(),
  'switchyard.gateway.duration': msBuckets(),
  'switchyard.gateway.overhead': msBuckets(),
  'switchyard.batch.size': [1, 2, 4, 8, 16, 32, 64, 128, 256],
  // Cosine similarity of the nearest candidate; resolution where thresholds are set (0.9-1).
  'switchyard.cache.similarity': [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 1],
  // The GenAI semantic conventions' advised boundaries (seconds and tokens).
  'gen_ai.client.operation.duration': [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92],
  'gen_ai.client.token.usage': [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
};

function msBuckets(): number[] {
  return [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000];
}

export function metricViews(): metrics.ViewOptions[] {
  return Object.entries(HISTOGRAM_BUCKETS).map(([instrumentName, boundaries]) => ({
    instrumentName,
    aggregation: { type: metrics.AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [...boundaries] } },
  }));
}
