/**
 * The metrics the team agreed on: names, instrument kinds, units and attributes. Services create their
 * instruments with these names through `getMeter`; the Grafana dashboard and the alert rules in deploy/
 * query them, and tools/deploy-checks fails when a panel or rule names a metric that is not listed here.
 */
export type InstrumentKind = 'counter' | 'histogram' | 'gauge';

export interface AgreedMetric {
  name: string;
  kind: InstrumentKind;
  unit?: string;
  /** Attribute keys, as recorded (dots and all). */
  attributes: readonly string[];
  /** The service that records it. */
  service: 'api-gateway' | 'queue' | 'cache' | 'batcher' | 'region-router';
  description: string;
}

export const AGREED_METRICS: readonly AgreedMetric[] = [
  {
    name: 'switchyard.gateway.duration',
    kind: 'histogram',
    unit: 'ms',
    attributes: ['operation', 'transport', 'outcome', 'cache'],
    service: 'api-gateway',
    description: 'Time from receiving a request to answering it',
  },
  {
    name: 'switchyard.gateway.overhead',
    kind: 'histogram',
    unit: 'ms',
    attributes: ['operation', 'transport', 'outcome', 'cache'],
    service: 'api-gateway',
    description: "Gateway time minus the upstream's time: what Switchyard itself adds",
  },
  { name: 'switchyard.queue.depth', kind: 'gauge', attributes: ['pool', 'priority'], service: 'queue', description: 'Waiting requests' },
  { name: 'switchyard.queue.active_leases', kind: 'gauge', attributes: ['pool'], service: 'queue', description: 'Granted, unreleased leases' },
  { name: 'switchyard.queue.wait', kind: 'histogram', unit: 'ms', attributes: ['pool', 'priority', 'outcome'], service: 'queue', description: 'Arrival to grant or refusal' },
  { name: 'switchyard.queue.outcomes', kind: 'counter', attributes: ['pool', 'priority', 'outcome'], service: 'queue', description: 'Admission outcomes' },
  { name: 'switchyard.cache.lookups', kind: 'counter', attributes: ['result'], service: 'cache', description: 'Lookups by result: exact, semantic or miss' },
  { name: 'switchyard.cache.similarity', kind: 'histogram', attributes: ['result'], service: 'cache', description: 'Similarity of the nearest semantic candidate' },
  { name: 'switchyard.cache.entries', kind: 'gauge', attributes: [], service: 'cache', description: 'Entries held' },
  { name: 'switchyard.cache.memory', kind: 'gauge', unit: 'By', attributes: ['kind'], service: 'cache', description: 'Estimated bytes held: kind store or index' },
  { name: 'switchyard.batch.size', kind: 'histogram', attributes: ['reason'], service: 'batcher', description: 'Requests per upstream dispatch' },
  { name: 'switchyard.batch.wait', kind: 'histogram', unit: 'ms', attributes: ['reason'], service: 'batcher', description: 'Wait of the oldest request of a batch' },
  { name: 'switchyard.batch.upstream_calls_saved', kind: 'counter', attributes: [], service: 'batcher', description: 'Upstream calls avoided by batching' },
  {
    name: 'gen_ai.client.operation.duration',
    kind: 'histogram',
    unit: 's',
    attributes: ['gen_ai.operation.name', 'gen_ai.request.model', 'switchyard.region', 'error.type'],
    service: 'region-router',
    description: 'Duration of each upstream attempt (GenAI semantic conventions)',
  },
  {
    name: 'gen_ai.client.token.usage',
    kind: 'histogram',
    unit: '{token}',
    attributes: ['gen_ai.operation.name', 'gen_ai.request.model', 'switchyard.region', 'gen_ai.token.type'],
    service: 'region-router',
    description: 'Tokens per upstream call, input and output (GenAI semantic conventions)',
  },
  { name: 'switchyard.upstream.attempts', kind: 'counter', attributes: ['region', 'outcome'], service: 'region-router', description: 'Upstream attempts by outcome' },
  { name: 'switchyard.region.load', kind: 'gauge', attributes: ['region'], service: 'region-router', description: 'max(TPM share, RPM share) over the sliding window' },
  { name: 'switchyard.region.state', kind: 'gauge', attributes: ['region'], service: 'region-router', description: '0 healthy, 1 cooling down, 2 breaker open' },
];

/**
 * The series names Prometheus sees for a metric, as @opentelemetry/exporter-prometheus writes them:
 * dots become underscores, counters gain `_total`, histograms become `_bucket`/`_sum`/`_count`, and no
 * unit suffix is added.
 */
export function prometheusSeries(metric: Pick<AgreedMetric, 'name' | 'kind'>): string[] {
  const base = prometheusName(metric.name);
  if (metric.kind === 'counter') return [`${base}_total`];
  if (metric.kind === 'histogram') return [`${base}_bucket`, `${base}_sum`, `${base}_count`];
  return [base];
}

/** An OpenTelemetry metric or attribute name as a Prometheus metric or label name. */
export function prometheusName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_');
}
