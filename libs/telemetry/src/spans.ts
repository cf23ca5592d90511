import {
  context,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanKind,
  type Tracer,
} from '@opentelemetry/api';
import { core } from '@opentelemetry/sdk-node';

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

// The proto fields carry W3C traceparent whatever OTEL_PROPAGATORS selects for metadata, so these
// helpers use the W3C propagator itself rather than the globally configured one.
const w3c = new core.W3CTraceContextPropagator();
const recordSetter = { set: (carrier: Record<string, string>, key: string, value: string) => void (carrier[key] = value) };
const recordGetter = {
  get: (carrier: Record<string, string>, key: string) => carrier[key],
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
};

/** W3C `traceparent` of the active context, for carrying a request's context inside a batched message. */
export function activeTraceparent(): string {
  const carrier: Record<string, string> = {};
  w3c.inject(context.active(), carrier, recordSetter);
  return carrier.traceparent ?? '';
}

/** The context a `traceparent` string describes (the active context if the string is empty or invalid). */
export function contextFromTraceparent(traceparent: string): Context {
  if (!traceparent) return context.active();
  return w3c.extract(context.active(), { traceparent }, recordGetter);
}

/** A span link to the span described by `traceparent`, or undefined when it is empty/invalid. */
export function linkFromTraceparent(traceparent: string, attributes?: Attributes): Link | undefined {
  if (!traceparent) return undefined;
  // Extract onto the root context: an invalid string must not yield a link to whatever span is active.
  const spanContext = trace.getSpanContext(w3c.extract(ROOT_CONTEXT, { traceparent }, recordGetter));
  return spanContext && trace.isSpanContextValid(spanContext) ? { context: spanContext, attributes } : undefined;
}
