import { GenAiAttributes, SpanKind, SpanStatusCode, context, getMeter, getTracer, trace, type Span } from '@switchyard/telemetry';
import type { AttemptInfo, AttemptResult } from '../routing';
import { attemptAttributes } from '../upstream-span';
import type { StreamAttemptTrace } from './stream-dispatcher';

const tracer = getTracer('region-router');

/**
 * GenAI client spans for one stream's attempts. An attempt that failed to open ends at once, like the batch
 * path's; the attempt that opened stays open until the answer has streamed, so its span covers the whole
 * operation and carries the real usage (the router only ever saw the estimate).
 */
export function streamAttemptTrace(): StreamAttemptTrace {
  let open: { span: Span; info: AttemptInfo } | undefined;
  return {
    aroundAttempt: async <T>(info: AttemptInfo, run: () => Promise<AttemptResult<T>>): Promise<AttemptResult<T>> => {
      const span = tracer.startSpan(`chat ${info.model}`, {
        kind: SpanKind.CLIENT,
        attributes: { ...attemptAttributes(info, 'chat'), 'switchyard.stream': true },
      });
      const result = await context.with(trace.setSpan(context.active(), span), run);
      if (result.report.outcome === 'ok') {
        open = { span, info };
        span.addEvent('switchyard.stream.opened', { 'switchyard.open_ms': result.report.durationMs });
        return result;
      }
      span.setAttribute('switchyard.upstream.outcome', result.report.outcome);
      if (result.report.httpStatus !== undefined) span.setAttribute('http.response.status_code', result.report.httpStatus);
      span.setAttribute('error.type', result.report.outcome);
      span.setStatus({ code: SpanStatusCode.ERROR, message: result.report.description });
      if (result.effects.note) span.addEvent('switchyard.region.effects', { 'switchyard.note': result.effects.note });
      span.end();
      return result;
    },
    end: ({ usage, error }) => {
      if (!open) return;
      const { span, info } = open;
      open = undefined;
      if (usage) {
        span.setAttributes({
          'switchyard.upstream.outcome': 'ok',
          [GenAiAttributes.usageInputTokens]: usage.inputTokens,
          [GenAiAttributes.usageOutputTokens]: usage.outputTokens,
          [GenAiAttributes.responseFinishReasons]: [usage.finishReason],
        });
        recordTokens(info, usage);
      } else if (error !== undefined) {
        span.setAttributes({ 'switchyard.upstream.outcome': 'stream_broken', 'error.type': 'stream_broken' });
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      } else {
        span.setAttribute('switchyard.upstream.outcome', 'abandoned');
      }
      span.end();
    },
  };
}

// The same instrument the batch path records into (same meter, name, unit): streams report their real usage at
// the end, since their attempt events only know the estimate.
const tokens = getMeter('region-router').createHistogram('gen_ai.client.token.usage', { description: 'Tokens per upstream call', unit: '{token}' });

function recordTokens(info: AttemptInfo, usage: { inputTokens: number; outputTokens: number }): void {
  const attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': info.model, 'switchyard.region': info.region };
  tokens.record(usage.inputTokens, { ...attributes, 'gen_ai.token.type': 'input' });
  tokens.record(usage.outputTokens, { ...attributes, 'gen_ai.token.type': 'output' });
}
