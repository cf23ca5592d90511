import { countChatTokens, countTextTokens } from '@switchyard/tokens';
import {
  UpstreamError,
  upstreamModelName,
  type RegionConfig,
  type UpstreamCallOptions,
  type UpstreamClient,
  type UpstreamCompletion,
  type UpstreamCompletionRequest,
  type UpstreamEmbeddingRequest,
  type UpstreamEmbeddings,
} from '../routing';
import { mapOpenAIError } from './map-openai-error';
import { parseRateLimitHeaders } from './rate-limit-headers';
import { createRegionEndpoint, SDK_TIMEOUT_SLACK_MS, type RegionEndpoint } from './region-endpoint';

export interface OpenAIUpstreamOptions {
  regions: readonly RegionConfig[];
  /** Where `apiKeyEnv` names are looked up. */
  env?: Record<string, string | undefined>;
  /** Per-attempt timeout when the request has no deadline (or a later one). */
  timeoutMs?: number;
}

/** What every SDK call of an attempt is given: the combined abort signal and the SDK's backstop timeout. */
interface SdkCallOptions {
  signal: AbortSignal;
  timeout: number;
  maxRetries: 0;
}

/**
 * The UpstreamClient over the official openai SDK: one client per region, `OpenAI` for OpenAI-compatible
 * endpoints and `AzureOpenAI` for Azure, where the model is sent as its deployment name (REGIONS
 * `deployments`) and the SDK puts it in the `/openai/deployments/{name}/...` path with the api-version.
 * The SDK's own retries are off because the dispatcher fails over to another region instead.
 *
 * Each call kind is a thin method over `call()`, which owns client lookup, time limits and error mapping;
 * a streaming method fits beside complete() the same way.
 */
export class OpenAIUpstream implements UpstreamClient {
  private readonly endpoints = new Map<string, RegionEndpoint>();
  private readonly timeoutMs: number;

  constructor(options: OpenAIUpstreamOptions) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    const env = options.env ?? process.env;
    for (const region of options.regions) this.endpoints.set(region.name, createRegionEndpoint(region, env, this.timeoutMs));
  }

  complete(region: string, request: UpstreamCompletionRequest, options: UpstreamCallOptions = {}): Promise<UpstreamCompletion> {
    return this.call(region, options, async ({ client, config }, sdk) => {
      const { data: completion, response } = await client.chat.completions
        .create(
          {
            model: upstreamModelName(config, request.model),
            messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
            temperature: request.temperature,
            ...(request.maxTokens > 0 ? { max_tokens: request.maxTokens } : {}),
          },
          sdk,
        )
        .withResponse();
      const choice = completion.choices[0];
      if (!choice) throw new UpstreamError('upstream answered without choices', { status: 502 });
      const content = choice.message.content ?? '';
      return {
        content,
        // Usage is optional in compatible servers; a local count keeps load accounting honest.
        inputTokens: completion.usage?.prompt_tokens ?? countChatTokens(request.messages),
        outputTokens: completion.usage?.completion_tokens ?? countTextTokens(content),
        finishReason: choice.finish_reason ?? 'stop',
        rateLimit: parseRateLimitHeaders(response.headers),
      };
    });
  }

  embed(region: string, request: UpstreamEmbeddingRequest, options: UpstreamCallOptions = {}): Promise<UpstreamEmbeddings> {
    return this.call(region, options, async ({ client, config }, sdk) => {
      // 'float' explicitly: without it the SDK asks for base64, which not every compatible server speaks.
      const { data: answer, response } = await client.embeddings
        .create({ model: upstreamModelName(config, request.model), input: [...request.inputs], encoding_format: 'float' }, sdk)
        .withResponse();
      const data = [...answer.data].sort((a, b) => a.index - b.index);
      return {
        vectors: data.map((d) => d.embedding),
        inputTokens: answer.usage?.prompt_tokens ?? request.inputs.reduce((sum, text) => sum + countTextTokens(text), 0),
        rateLimit: parseRateLimitHeaders(response.headers),
      };
    });
  }

  /** Runs one SDK call against `region` within the attempt's limits; every failure leaves as an UpstreamError. */
  private async call<T>(region: string, options: UpstreamCallOptions, run: (endpoint: RegionEndpoint, sdk: SdkCallOptions) => Promise<T>): Promise<T> {
    const endpoint = this.endpointFor(region);
    const { timeout, signal, timedOut } = this.limitsFor(options);
    try {
      return await run(endpoint, { signal, timeout: timeout + SDK_TIMEOUT_SLACK_MS, maxRetries: 0 });
    } catch (error) {
      throw mapOpenAIError(error, { secret: endpoint.secret, timeoutMs: timeout, timedOut: timedOut() });
    }
  }

  /**
   * The attempt's own timeout signal, combined with the caller's. The SDK's timeout stays as a backstop only:
   * an abort we caused ourselves can be told apart from the caller's without inspecting the SDK's error shape.
   */
  private limitsFor(options: UpstreamCallOptions): { timeout: number; signal: AbortSignal; timedOut: () => boolean } {
    const timeout = Math.max(1, Math.min(this.timeoutMs, options.timeoutMs ?? Infinity));
    const timer = AbortSignal.timeout(timeout);
    const signal = options.signal ? AbortSignal.any([options.signal, timer]) : timer;
    return { timeout, signal, timedOut: () => timer.aborted && !options.signal?.aborted };
  }

  private endpointFor(region: string): RegionEndpoint {
    const endpoint = this.endpoints.get(region);
    if (!endpoint) throw new UpstreamError(`no upstream client for region "${region}"`, { status: 500 });
    return endpoint;
  }
}
