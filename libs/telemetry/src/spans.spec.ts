import { SpanStatusCode, trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { contentCaptureEnabled, GenAiAttributes } from './genai-attributes';
import { getMeter } from './metrics';
import { activeTraceId, activeTraceparent, contextFromTraceparent, getTracer, inSpan, linkFromTraceparent, SpanKind } from './spans';

const exporter = new tracing.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
// No global propagator: the traceparent helpers must not depend on OTEL_PROPAGATORS.
provider.register({ propagator: null });

const tracer = getTracer('spans-test');
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

afterEach(() => exporter.reset());
afterAll(() => provider.shutdown());

function finished(name: string): tracing.ReadableSpan {
  const span = exporter.getFinishedSpans().find((s) => s.name === name);
  if (!span) throw new Error(`span ${name} was not ended`);
  return span;
}

describe('inSpan', () => {
  it('runs the function inside an active span and ends it with its result', async () => {
    let activeInside = '';
    const result = await inSpan(tracer, 'queue.acquire', { kind: SpanKind.INTERNAL, attributes: { 'switchyard.priority': 'HIGH' } }, async (span) => {
      activeInside = trace.getActiveSpan()?.spanContext().spanId ?? '';
      expect(activeInside).toBe(span.spanContext().spanId);
      return 42;
    });

    expect(result).toBe(42);
    const span = finished('queue.acquire');
    expect(span.spanContext().spanId).toBe(activeInside);
    expect(span.attributes['switchyard.priority']).toBe('HIGH');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('marks the span failed with the error class and message, rethrows, and still ends it', async () => {
    class QueueFull extends Error {
      override name = 'QueueFull';
    }

    await expect(
      inSpan(tracer, 'queue.acquire', {}, async () => {
        throw new QueueFull('queue is full');
      }),
    ).rejects.toBeInstanceOf(QueueFull);

    const span = finished('queue.acquire');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'queue is full' });
    expect(span.attributes['error.type']).toBe('QueueFull');
    expect(span.events.map((e) => [e.name, e.attributes?.['exception.type'], e.attributes?.['exception.message']])).toEqual([
      ['exception', 'QueueFull', 'queue is full'],
    ]);
  });

  it('nests under the active span, or under an explicit parent', async () => {
    await inSpan(tracer, 'outer', {}, async (outer) => {
      await inSpan(tracer, 'inner', {}, async () => undefined);
      const elsewhere = contextFromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
      await inSpan(tracer, 'adopted', { parent: elsewhere }, async () => undefined);
      expect(finished('inner').parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    });

    expect(finished('inner').spanContext().traceId).toBe(finished('outer').spanContext().traceId);
    expect(finished('adopted').spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(finished('adopted').parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  });
});

describe('traceparent helpers', () => {
  it('give empty ids outside any span', () => {
    expect(activeTraceId()).toBe('');
    expect(activeTraceparent()).toBe('');
  });

  it('round-trip the active span through a traceparent string', async () => {
    const carried = await inSpan(tracer, 'gateway.complete', {}, async (span) => {
      const traceparent = activeTraceparent();
      const [, traceId, spanId] = TRACEPARENT.exec(traceparent) ?? [];
      expect(traceId).toBe(span.spanContext().traceId);
      expect(spanId).toBe(span.spanContext().spanId);
      expect(activeTraceId()).toBe(traceId);
      return { traceparent, ...span.spanContext() };
    });

    const restored = trace.getSpanContext(contextFromTraceparent(carried.traceparent));

    expect(restored).toMatchObject({ traceId: carried.traceId, spanId: carried.spanId, isRemote: true });
  });

  it('leave the active context alone for an empty or malformed traceparent', async () => {
    await inSpan(tracer, 'batcher.execute', {}, async (span) => {
      expect(trace.getSpanContext(contextFromTraceparent(''))?.spanId).toBe(span.spanContext().spanId);
      expect(trace.getSpanContext(contextFromTraceparent('00-zz-yy-01'))?.spanId).toBe(span.spanContext().spanId);
    });
  });

  it('link to the span a traceparent names, with attributes', () => {
    const link = linkFromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', { 'switchyard.item': 3 });

    expect(link?.context).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' });
    expect(link?.attributes).toEqual({ 'switchyard.item': 3 });
  });

  it('give no link for an empty or invalid traceparent, even inside an active span', async () => {
    await inSpan(tracer, 'batch.dispatch', {}, async () => {
      expect(linkFromTraceparent('')).toBeUndefined();
      expect(linkFromTraceparent('not-a-traceparent')).toBeUndefined();
      expect(linkFromTraceparent(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeUndefined();
    });
  });
});

describe('metrics and GenAI attributes', () => {
  it('name meters under the switchyard scope', () => {
    expect(getMeter('queue').createCounter('switchyard.queue.granted')).toBeDefined();
  });

  it('use the OpenTelemetry GenAI attribute names', () => {
    expect(GenAiAttributes.requestModel).toBe('gen_ai.request.model');
    expect(GenAiAttributes.usageInputTokens).toBe('gen_ai.usage.input_tokens');
  });

  it('capture prompt and answer text only when explicitly enabled', () => {
    expect(contentCaptureEnabled({})).toBe(false);
    expect(contentCaptureEnabled({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'TRUE' })).toBe(false);
    expect(contentCaptureEnabled({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' })).toBe(true);
  });
});
