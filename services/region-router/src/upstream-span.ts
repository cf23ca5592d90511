import {
  contextFromTraceparent,
  contentCaptureEnabled,
  GenAiAttributes,
  getTracer,
  inSpan,
  linkFromTraceparent,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Link,
  type Span,
} from '@switchyard/telemetry';
import type { AroundAttempt, AttemptInfo, AttemptResult } from './routing';

const tracer = getTracer('region-router');

/**
 * Runs one upstream attempt inside a GenAI client span. The span joins the trace of the first request
 * it serves and links to the others, so each request's trace shows the upstream call made for it; the
 * HTTP span of the SDK call nests under it and carries the context on to the upstream. What the router
 * concluded from the attempt (cool-down, breaker opened or closed) is recorded as span events, so a trace
 * tells why the next attempt went elsewhere.
 */
export function aroundUpstreamAttempt(traceparents: readonly string[]): AroundAttempt {
  return <T>(info: AttemptInfo, run: () => Promise<AttemptResult<T>>): Promise<AttemptResult<T>> => {
    const parents = info.itemIndexes.map((i) => traceparents[i] ?? '');
    const links = parents.slice(1).map((tp) => linkFromTraceparent(tp)).filter((l): l is Link => l !== undefined);
    const operation = info.kind === 'embedding' ? 'embeddings' : 'chat';
    return inSpan(
      tracer,
      `${operation} ${info.model}`,
      {
        kind: SpanKind.CLIENT,
        parent: contextFromTraceparent(parents[0] ?? ''),
        links,
        attributes: {
          ...attemptAttributes(info, operation),
          'switchyard.batch.items': info.itemIndexes.length,
          ...(info.timeoutMs !== undefined ? { 'switchyard.attempt.timeout_ms': info.timeoutMs } : {}),
        },
      },
      async (span) => {
        const result = await run();
        describe(span, info, result);
        return result;
      },
    );
  };
}

/** What every upstream attempt span says, batched or streamed: GenAI operation and model, region and why. */
export function attemptAttributes(info: AttemptInfo, operation: 'chat' | 'embeddings'): Attributes {
  return {
    [GenAiAttributes.operationName]: operation,
    [GenAiAttributes.system]: 'openai',
    [GenAiAttributes.requestModel]: info.model,
    'switchyard.region': info.region,
    'switchyard.attempt': info.attempt,
    'switchyard.region.reason': info.reason,
    'switchyard.breaker.probe': info.probe,
  };
}

function describe<T>(span: Span, info: AttemptInfo, result: AttemptResult<T>): void {
  const { report, effects, usage } = result;
  span.setAttribute('switchyard.upstream.outcome', report.outcome);
  if (report.httpStatus !== undefined) span.setAttribute('http.response.status_code', report.httpStatus);
  if (usage) {
    span.setAttribute(GenAiAttributes.usageInputTokens, usage.inputTokens);
    span.setAttribute(GenAiAttributes.usageOutputTokens, usage.outputTokens);
  }
  const value = result.value as { finishReason?: string; content?: string } | undefined;
  if (value?.finishReason) span.setAttribute(GenAiAttributes.responseFinishReasons, [value.finishReason]);
  if (contentCaptureEnabled() && value?.content !== undefined) span.setAttribute('gen_ai.output.text', value.content);
  if (report.outcome !== 'ok') {
    span.setAttribute('error.type', report.outcome);
    span.setStatus({ code: SpanStatusCode.ERROR, message: report.description });
  }
  if (effects.cooldownMs !== undefined) {
    span.addEvent('switchyard.region.cooldown', { 'switchyard.region': info.region, 'switchyard.cooldown_ms': effects.cooldownMs });
  }
  if (effects.breakerOpened) span.addEvent('switchyard.breaker.opened', { 'switchyard.region': info.region, 'switchyard.note': effects.note });
  if (effects.breakerClosed) span.addEvent('switchyard.breaker.closed', { 'switchyard.region': info.region });
}
