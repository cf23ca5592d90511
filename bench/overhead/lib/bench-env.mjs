// The settings every overhead measurement runs Switchyard with, and its upstream: shared by run.mjs and ab.mjs so a
// side-by-side A/B measures exactly what the full benchmark does.
import path from 'node:path';

/** Overhead, not policy: no batching wait, no queueing, no tenant limits; metrics and logs exporters off. */
export const OVERHEAD_ENV = {
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
  BATCHER_MAX_WAIT_MS: '0',
  QUEUE_MAX_CONCURRENT: '100000',
  QUEUE_MAX_QUEUE_SIZE: '100000',
};

/** Every span exported, OTLP http/json to the local sink. */
export const tracingOn = (sinkAddress) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: sinkAddress, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER: 'always_on' });
/** Spans still created, with a no-op processor. */
export const TRACING_OFF = { OTEL_TRACES_EXPORTER: 'none' };

/**
 * One upstream-sim at 0 ms that never refuses, started with `localStack` (the checkout's own local-stack library)
 * from `checkout`, and the REGIONS value that points one region at it.
 */
export async function startZeroLatencySim(localStack, checkout, logFile) {
  const sim = await localStack.startServiceProcess({
    name: 'upstream-sim',
    dir: path.join(checkout, 'services/upstream-sim'),
    env: { ...OVERHEAD_ENV, ...TRACING_OFF, SIM_REGION: 'eastus', SIM_PORT: '0', SIM_LATENCY_MS: '0', SIM_TPM_LIMIT: '1000000000', SIM_RPM_LIMIT: '1000000000' },
    logFile,
  });
  const regions = JSON.stringify([{ name: 'eastus', provider: 'openai', baseUrl: `${sim.address}/v1`, capacityTpm: 1_000_000_000, capacityRpm: 1_000_000_000 }]);
  return { sim, regions };
}
