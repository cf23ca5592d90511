import type { QuotaSnapshot } from '../limits';
import type { ObservedCall } from '../metrics/gateway-call';
import { parseChatCompletionRequest } from './chat-completion-request';
import type { HttpContext } from './http-context';
import { failureOf, internalFailure } from './openai-error';
import { chatCompletion, completionChunk, completionId, usageChunk, type ChunkContext } from './openai-responses';
import { SseWriter } from './sse-writer';
import { quotaHeaders, routeHeaders } from './switchyard-headers';

/**
 * POST /v1/chat/completions: one JSON answer, or server-sent events with `stream: true`. Timed as a `complete`
 * until the body says it is a stream.
 */
export function handleChatCompletions(ctx: HttpContext): Promise<void> {
  return ctx.measured('complete', (observed) => answerChatCompletion(ctx, observed));
}

async function answerChatCompletion(ctx: HttpContext, observed: ObservedCall): Promise<void> {
  const { headers, body } = await ctx.admitAndRead();
  const request = parseChatCompletionRequest(body, headers);
  if (request.stream) observed.operation = 'stream_complete';
  const call = ctx.call(headers.deadline, observed);
  const id = completionId(ctx.traceId);
  const created = Math.floor(Date.now() / 1000);

  if (!request.stream) {
    const served = await ctx.frontDoor.complete(call, request.input);
    ctx.sendJson(200, chatCompletion(id, created, served.result), {
      ...routeHeaders(served.result.route, request.input.cacheBypass),
      ...quotaHeaders(served.quota),
    });
    return;
  }

  const sse = new SseWriter(ctx.res);
  let quota: QuotaSnapshot = {};
  let chunk: ChunkContext | undefined;
  try {
    for await (const event of ctx.frontDoor.streamComplete(call, request.input)) {
      switch (event.type) {
        case 'admitted':
          quota = event.quota;
          break;
        case 'started':
          // Headers wait for the route, so errors before it (limits, queue, every region down) are plain HTTP errors.
          chunk = { id, created, model: event.route.model, includeUsage: request.includeUsage };
          sse.start({ ...ctx.traceHeaders, ...routeHeaders(event.route, request.input.cacheBypass), ...quotaHeaders(quota) });
          await sse.send(completionChunk(chunk, { role: 'assistant', content: '', refusal: null }));
          break;
        case 'delta':
          await sse.send(completionChunk(chunk!, { content: event.content }));
          break;
        case 'finished':
          await sse.send(completionChunk(chunk!, {}, event.finishReason));
          if (request.includeUsage) await sse.send(usageChunk(chunk!, event.usage));
          sse.done();
          break;
      }
    }
    if (!sse.started) throw new Error('the completion stream ended before it started');
  } catch (err) {
    if (!sse.started) throw err;
    // The status line already said 200: the error goes out as an event, and the metrics still count it.
    observed.failed(err);
    const failure = failureOf(err);
    if (!failure) ctx.logger.error({ err }, 'chat completion stream failed');
    sse.fail((failure ?? internalFailure()).body);
  }
}
