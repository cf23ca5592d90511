import { AGREED_METRICS, prometheusName, prometheusSeries } from './metric-catalog';
import { HISTOGRAM_BUCKETS } from './metric-views';

describe('agreed metric catalog', () => {
  it('gives every agreed histogram its own bucket boundaries, in ascending order', () => {
    const histograms = AGREED_METRICS.filter((metric) => metric.kind === 'histogram').map((metric) => metric.name);

    expect(histograms.filter((name) => !HISTOGRAM_BUCKETS[name])).toEqual([]);
    for (const name of histograms) {
      const bounds = HISTOGRAM_BUCKETS[name]!;
      expect([...bounds].sort((a, b) => a - b)).toEqual(bounds);
    }
  });

  it('names each metric once', () => {
    const names = AGREED_METRICS.map((metric) => metric.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('spells series the way the Prometheus exporter writes them', () => {
    expect(prometheusSeries({ name: 'switchyard.cache.lookups', kind: 'counter' })).toEqual(['switchyard_cache_lookups_total']);
    expect(prometheusSeries({ name: 'gen_ai.client.operation.duration', kind: 'histogram' })).toEqual([
      'gen_ai_client_operation_duration_bucket',
      'gen_ai_client_operation_duration_sum',
      'gen_ai_client_operation_duration_count',
    ]);
    expect(prometheusSeries({ name: 'switchyard.region.load', kind: 'gauge' })).toEqual(['switchyard_region_load']);
    expect(prometheusName('gen_ai.token.type')).toBe('gen_ai_token_type');
  });
});
