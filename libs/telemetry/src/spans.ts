import {
  context,
  propagation,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanKind,
  type Tracer,
} from '@opentelemetry/api';

export { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
export type { Attributes, Context, Link, Span, Tracer } from '@opentelemetry/api';

export function getTracer(scope: string): Tracer {
  return trace.getTracer(`switchyard.${scope}`);
}

export interface SpanOptions {
  attributes?: Attributes;
  kind?: SpanKind;
  links?: Link[];
  /** Parent context; the active one when omitted. */
  parent?: Context;
}

/**
 * Runs `fn` inside a new active span, ending it when `fn` settles. A thrown error marks the span
 * as failed and records the error's class and message (never request or answer text).
 */
export async function inSpan<T>(tracer: Tracer, name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(name, { attributes: options.attributes, kind: options.kind, links: options.links }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    markSpanFailed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

export function markSpanFailed(span: Span, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException({ name: error.name, message: error.message });
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.setAttribute('error.type', error.name);
}

/** Hex trace id of the active span, or '' when there is none. */
export function activeTraceId(): string {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? ctx.traceId : '';
}

/** W3C `traceparent` of the active context, for carrying a request's context inside a batched message. */
export function activeTraceparent(): string {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? '';
}

/** The context a `traceparent` string describes (the active context if the string is empty or invalid). */
export function contextFromTraceparent(traceparent: string): Context {
  if (!traceparent) return context.active();
  return propagation.extract(context.active(), { traceparent });
}

/** A span link to the span described by `traceparent`, or undefined when it is empty/invalid. */
export function linkFromTraceparent(traceparent: string, attributes?: Attributes): Link | undefined {
  const spanContext = trace.getSpanContext(contextFromTraceparent(traceparent));
  return spanContext && trace.isSpanContextValid(spanContext) ? { context: spanContext, attributes } : undefined;
}
