import { context, trace, TraceFlags } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { announceReady, READY_EVENT } from './lifecycle';
import { createLogger } from './logger';

const exporter = new tracing.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
// Registers the tracer provider and the AsyncLocalStorage context manager the SDK would install.
provider.register();

afterAll(() => provider.shutdown());

function capture(level = 'debug') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('queue', level, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes JSON lines with the service name, level and ISO time', () => {
    const { logger, lines } = capture();

    logger.info({ priority: 'HIGH' }, 'granted');

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service: 'queue', level: 30, msg: 'granted', priority: 'HIGH' });
    expect(new Date(lines[0].time as string).toISOString()).toBe(lines[0].time);
  });

  it('puts the active span trace_id and span_id on a line logged inside it', () => {
    const { logger, lines } = capture();
    const tracer = trace.getTracer('logger-test');

    const ids = tracer.startActiveSpan('acquire', (span) => {
      logger.info('inside');
      span.end();
      return span.spanContext();
    });
    logger.info('outside');

    expect(lines[0]).toMatchObject({ msg: 'inside', trace_id: ids.traceId, span_id: ids.spanId });
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[1].msg).toBe('outside');
    expect(lines[1]).not.toHaveProperty('trace_id');
  });

  it('carries the ids of a remote span context made active with context.with', () => {
    const { logger, lines } = capture();
    const remote = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true };

    context.with(trace.setSpan(context.active(), trace.wrapSpanContext(remote)), () => logger.warn('relayed'));

    expect(lines[0]).toMatchObject({ trace_id: remote.traceId, span_id: remote.spanId });
  });

  it('leaves the ids off when the active span context is invalid (no SDK in the way)', () => {
    const { logger, lines } = capture();

    context.with(trace.setSpan(context.active(), trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 })), () =>
      logger.info('placeholder'),
    );

    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('redacts authorization and API keys wherever they appear', () => {
    const { logger, lines } = capture();

    logger.info(
      {
        authorization: 'Bearer sk-top',
        apiKey: 'sk-key',
        headers: { authorization: 'Bearer sk-headers', 'x-api-key': 'sk-x' },
        req: { headers: { authorization: 'Bearer sk-nested' } },
        tenant: { apiKey: 'sk-tenant', name: 'acme' },
      },
      'request',
    );

    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('sk-');
    expect(lines[0]).toMatchObject({
      authorization: '[redacted]',
      apiKey: '[redacted]',
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]' },
      req: { headers: { authorization: '[redacted]' } },
      tenant: { apiKey: '[redacted]', name: 'acme' },
    });
  });

  it('drops lines below the configured level', () => {
    const { logger, lines } = capture('warn');

    logger.info('chatty');
    logger.warn('worth reading');

    expect(lines.map((line) => line.msg)).toEqual(['worth reading']);
  });
});

describe('announceReady', () => {
  it('logs the ready event with the address and port launchers wait for', () => {
    const { logger, lines } = capture();

    announceReady(logger, { service: 'queue', address: '127.0.0.1:50051', port: 50051 });

    expect(lines[0]).toMatchObject({ event: READY_EVENT, address: '127.0.0.1:50051', port: 50051, service: 'queue' });
  });
});
