import { performance } from 'node:perf_hooks';
import { splitIntoStreamChunks, type ChatCompletionPlan } from '../simulator';
import { modelOfDeployment, requireApiVersion } from './azure-api-version';
import { holdOpen } from './hold-open';
import { sendJson } from './openai-errors';
import { rateLimitHeaders } from './rate-limit-headers';
import { sendRefusal } from './refusal';
import type { RequestContext } from './request-context';
import { parseChatRequest } from './request-schemas';
import { endEventStream, startEventStream, writeEvent } from './sse';
import { waitUnlessAborted } from './wait-unless-aborted';

const SYSTEM_FINGERPRINT = 'fp_upstream_sim';

/** POST /v1/chat/completions and /openai/deployments/{deployment}/chat/completions. */
export async function handleChatCompletions(ctx: RequestContext, deployment?: string): Promise<void> {
  if (deployment !== undefined) requireApiVersion(ctx.url);
  const request = parseChatRequest(await ctx.readJson(), modelOfDeployment(ctx, deployment));
  ctx.log.model = request.model;
  ctx.log.stream = request.stream;
  const decision = ctx.simulator.planCompletion(request);
  if (decision.outcome === 'hang') return holdOpen(ctx);
  if (decision.outcome !== 'ok') {
    sendRefusal(ctx, decision);
    return;
  }
  const { plan } = decision;
  ctx.log.prompt_tokens = plan.promptTokens;
  ctx.log.completion_tokens = plan.completionTokens;
  const headers = { ...ctx.responseHeaders, ...rateLimitHeaders(decision.rate) };

  if (request.stream) {
    await streamCompletion(ctx, plan, request.includeUsage, headers);
    return;
  }
  if (!(await waitUnlessAborted(plan.totalLatencyMs, ctx.signal))) {
    cancelled(ctx);
    return;
  }
  ctx.log.outcome = 'ok';
  sendJson(
    ctx.res,
    200,
    {
      id: plan.id,
      object: 'chat.completion',
      created: plan.created,
      model: plan.model,
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: plan.content, refusal: null },
          logprobs: null,
          finish_reason: plan.finishReason,
        },
      ],
      usage: usageOf(plan),
    },
    headers,
  );
}

/**
 * Streams the same content the non-streaming answer has, word by word. Each word is due at the first-token
 * delay plus its share of the per-token latency, measured from the start so timer drift does not add up.
 */
async function streamCompletion(
  ctx: RequestContext,
  plan: ChatCompletionPlan,
  includeUsage: boolean,
  headers: Record<string, string>,
): Promise<void> {
  const { res, signal } = ctx;
  const chunk = (choices: unknown[]) => ({
    id: plan.id,
    object: 'chat.completion.chunk',
    created: plan.created,
    model: plan.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices,
    ...(includeUsage ? { usage: null } : {}),
  });
  const delta = (d: Record<string, unknown>, finishReason: string | null = null) => ({
    index: 0,
    delta: d,
    logprobs: null,
    finish_reason: finishReason,
  });

  startEventStream(res, headers);
  const started = performance.now();
  if (!(await waitUnlessAborted(plan.firstTokenDelayMs, signal))) return cancelled(ctx);
  writeEvent(res, chunk([delta({ role: 'assistant', content: '', refusal: null })]));

  const streamingMs = plan.totalLatencyMs - plan.firstTokenDelayMs;
  let charsSent = 0;
  for (const piece of splitIntoStreamChunks(plan.content)) {
    charsSent += piece.length;
    const dueMs = plan.firstTokenDelayMs + (streamingMs * charsSent) / plan.content.length;
    if (!(await waitUnlessAborted(dueMs - (performance.now() - started), signal))) return cancelled(ctx);
    writeEvent(res, chunk([delta({ content: piece })]));
  }
  if (signal.aborted) return cancelled(ctx);
  writeEvent(res, chunk([delta({}, plan.finishReason)]));
  if (includeUsage) writeEvent(res, { ...chunk([]), usage: usageOf(plan) });
  ctx.log.outcome = 'ok';
  endEventStream(res);
}

function usageOf(plan: ChatCompletionPlan) {
  return {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
  };
}

function cancelled(ctx: RequestContext): void {
  ctx.log.outcome = 'cancelled';
  ctx.simulator.recordCancelled();
}
