import { metrics, type Meter } from '@opentelemetry/api';

export type { Counter, Histogram, Meter, ObservableGauge, UpDownCounter } from '@opentelemetry/api';

export function getMeter(scope: string): Meter {
  return metrics.getMeter(`switchyard.${scope}`);
}
