import {
  contextFromTraceparent,
  contentCaptureEnabled,
  GenAiAttributes,
  getTracer,
  inSpan,
  linkFromTraceparent,
  SpanKind,
  type Link,
} from '@switchyard/telemetry';
import type { AttemptInfo } from './routing';
import { UpstreamError } from './routing';

const tracer = getTracer('region-router');

/**
 * Runs one upstream attempt inside a GenAI client span. The span joins the trace of the first request
 * it serves and links to the others, so each request's trace shows the upstream call made for it; the
 * HTTP span of the SDK call nests under it and carries the context on to the upstream.
 */
export function aroundUpstreamAttempt(traceparents: readonly string[]) {
  return <T>(info: AttemptInfo, run: () => Promise<T>): Promise<T> => {
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
          [GenAiAttributes.operationName]: operation,
          [GenAiAttributes.system]: 'openai',
          [GenAiAttributes.requestModel]: info.model,
          'switchyard.region': info.region,
          'switchyard.attempt': info.attempt,
          'switchyard.region.reason': info.reason,
          'switchyard.batch.items': info.itemIndexes.length,
        },
      },
      async (span) => {
        try {
          const result = await run();
          const usage = result as { inputTokens?: number; outputTokens?: number; finishReason?: string; content?: string };
          if (usage.inputTokens !== undefined) span.setAttribute(GenAiAttributes.usageInputTokens, usage.inputTokens);
          if (usage.outputTokens !== undefined) span.setAttribute(GenAiAttributes.usageOutputTokens, usage.outputTokens);
          if (usage.finishReason) span.setAttribute(GenAiAttributes.responseFinishReasons, [usage.finishReason]);
          if (contentCaptureEnabled() && usage.content !== undefined) span.setAttribute('gen_ai.output.text', usage.content);
          span.setAttribute('switchyard.upstream.outcome', 'ok');
          return result;
        } catch (err) {
          const status = err instanceof UpstreamError ? err.status : undefined;
          span.setAttribute('switchyard.upstream.outcome', status === 429 ? 'throttled' : 'error');
          if (status !== undefined) span.setAttribute('http.response.status_code', status);
          throw err;
        }
      },
    );
  };
}
