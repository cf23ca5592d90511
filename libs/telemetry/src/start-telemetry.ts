import { NodeSDK, resources, tracing } from '@opentelemetry/sdk-node';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { metricViews } from './metric-views';

let running: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry SDK for one service. Must run before @grpc/grpc-js, ioredis or http are first
 * required (each service starts with `node --require ./dist/instrument.js`), or their calls go untraced.
 *
 * Exporters follow the standard OTEL_* variables. With nothing configured we still install a tracer
 * provider (with a no-op processor) so every request gets a real trace id to return to its caller,
 * and we turn the default OTLP metrics/log exporters off instead of letting them retry against a
 * Collector that is not there.
 *
 * Metrics: `OTEL_METRICS_EXPORTER=prometheus` serves /metrics on `OTEL_EXPORTER_PROMETHEUS_PORT` (9464).
 * Its host defaults to 127.0.0.1 here, like GRPC_HOST, because the exporter's own default is every
 * interface; containers set `OTEL_EXPORTER_PROMETHEUS_HOST=0.0.0.0`.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): NodeSDK {
  if (running) return running;
  // The SDK reads its settings from process.env only, so an `env` passed in is applied there first
  // (without this its exporter choices, and the defaults below, would silently not take effect).
  if (env !== process.env) {
    for (const [key, value] of Object.entries(env)) if (key.startsWith('OTEL_') && value !== undefined) process.env[key] = value;
  }
  const settings = process.env;
  const otlpConfigured = Boolean(settings.OTEL_EXPORTER_OTLP_ENDPOINT || settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const tracesExporter = settings.OTEL_TRACES_EXPORTER?.trim();
  const exportTraces = tracesExporter ? tracesExporter !== 'none' : otlpConfigured;
  // Empty counts as unset here as it does for the SDK.
  if (!settings.OTEL_METRICS_EXPORTER?.trim()) settings.OTEL_METRICS_EXPORTER = otlpConfigured ? 'otlp' : 'none';
  if (!settings.OTEL_LOGS_EXPORTER?.trim()) settings.OTEL_LOGS_EXPORTER = 'none';
  if (metricsExporters(settings).includes('prometheus') && !settings.OTEL_EXPORTER_PROMETHEUS_HOST?.trim()) {
    settings.OTEL_EXPORTER_PROMETHEUS_HOST = '127.0.0.1';
  }

  const sdk = new NodeSDK({
    serviceName: settings.OTEL_SERVICE_NAME || serviceName,
    resource: resources.resourceFromAttributes({ 'service.namespace': 'switchyard' }),
    ...(exportTraces ? {} : { spanProcessors: [new tracing.NoopSpanProcessor()] }),
    views: metricViews(),
    instrumentations: [
      // Health probes every few seconds would bury the request traces.
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch', 'ServerReflectionInfo'] }),
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === '/healthz' }),
      new UndiciInstrumentation(),
      new IORedisInstrumentation(),
    ],
  });
  sdk.start();
  running = sdk;
  return sdk;
}

/** The exporters named in OTEL_METRICS_EXPORTER (comma-separated, as the SDK reads it). */
export function metricsExporters(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.OTEL_METRICS_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

/** Flushes and stops the SDK; a process that exits without this loses its last spans. */
export async function shutdownTelemetry(): Promise<void> {
  const sdk = running;
  running = undefined;
  await sdk?.shutdown();
}
