import type { gatewayV1, modelRouterV1 } from '@switchyard/contracts';
import type { CompleteResult } from '../pipeline/complete';
import type { EmbedResult } from '../pipeline/embed';

/** Response bodies shaped exactly as OpenAI's, so every OpenAI SDK parses them unchanged. */

export function completionId(traceId: string): string {
  return `chatcmpl-${traceId || Math.random().toString(16).slice(2)}`;
}

function usageOf(usage: gatewayV1.Usage) {
  return { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens };
}

export function chatCompletion(id: string, created: number, result: CompleteResult) {
  return {
    id,
    object: 'chat.completion',
    created,
    model: result.route.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: result.content, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: result.finishReason,
      },
    ],
    usage: usageOf(result.usage),
  };
}

export interface ChunkContext {
  id: string;
  created: number;
  model: string;
  /** With stream_options.include_usage every chunk carries `usage: null` and a last chunk carries the usage. */
  includeUsage: boolean;
}

/** One `chat.completion.chunk` with a single choice. */
export function completionChunk(ctx: ChunkContext, delta: Record<string, unknown>, finishReason: string | null = null) {
  return {
    id: ctx.id,
    object: 'chat.completion.chunk',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(ctx.includeUsage ? { usage: null } : {}),
  };
}

/** The extra last chunk of stream_options.include_usage: no choices, the whole request's usage. */
export function usageChunk(ctx: ChunkContext, usage: gatewayV1.Usage) {
  return { id: ctx.id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.model, choices: [], usage: usageOf(usage) };
}

export function embeddingList(result: EmbedResult, encoding: 'float' | 'base64') {
  return {
    object: 'list',
    data: result.embeddings.map((e, index) => ({
      object: 'embedding',
      index,
      // base64 is the little-endian float32 array, which is what the OpenAI SDKs request by default and decode.
      embedding: encoding === 'base64' ? Buffer.from(new Float32Array(e.values).buffer).toString('base64') : e.values,
    })),
    model: result.route.model,
    usage: { prompt_tokens: result.usage.inputTokens, total_tokens: result.usage.inputTokens },
  };
}

export function modelObject(model: modelRouterV1.ModelInfo) {
  return {
    id: model.name,
    object: 'model',
    // The catalog has no creation dates; 0 is a valid timestamp that claims nothing.
    created: 0,
    owned_by: 'switchyard',
    switchyard: { tier: model.tier, context_window: model.contextWindow, capabilities: model.capabilities },
  };
}

export function modelList(models: modelRouterV1.ModelInfo[]) {
  return { object: 'list', data: models.map(modelObject) };
}
