import { NodeSDK, resources, tracing } from '@opentelemetry/sdk-node';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

let running: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry SDK for one service. Must run before @grpc/grpc-js, ioredis or http are first
 * required (each service starts with `node --require ./dist/instrument.js`), or their calls go untraced.
 *
 * Exporters follow the standard OTEL_* variables. With nothing configured we still install a tracer
 * provider (with a no-op processor) so every request gets a real trace id to return to its caller,
 * and we turn the default OTLP metrics/log exporters off instead of letting them retry against a
 * Collector that is not there.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): NodeSDK {
  if (running) return running;
  const otlpConfigured = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const tracesExporter = env.OTEL_TRACES_EXPORTER?.trim();
  const exportTraces = tracesExporter ? tracesExporter !== 'none' : otlpConfigured;
  env.OTEL_METRICS_EXPORTER ??= otlpConfigured ? 'otlp' : 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';

  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME || serviceName,
    resource: resources.resourceFromAttributes({ 'service.namespace': 'switchyard' }),
    ...(exportTraces ? {} : { spanProcessors: [new tracing.NoopSpanProcessor()] }),
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

/** Flushes and stops the SDK; a process that exits without this loses its last spans. */
export async function shutdownTelemetry(): Promise<void> {
  const sdk = running;
  running = undefined;
  await sdk?.shutdown();
}
