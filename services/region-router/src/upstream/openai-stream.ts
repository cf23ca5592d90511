import type OpenAI from 'openai';
import { countChatTokens, countTextTokens } from '@switchyard/tokens';
import { UpstreamError, upstreamModelName, type RegionConfig, type UpstreamCompletionRequest } from '../routing';
import type { OpenedStream, StreamingUpstream, StreamOpenOptions, StreamPart } from '../streaming/streaming-upstream';
import { mapOpenAIError } from './map-openai-error';
import { parseRateLimitHeaders } from './rate-limit-headers';
import { createRegionEndpoint, SDK_TIMEOUT_SLACK_MS, type RegionEndpoint } from './region-endpoint';

export interface OpenAIStreamingUpstreamOptions {
  regions: readonly RegionConfig[];
  env?: Record<string, string | undefined>;
  /** Backstop for opening a stream (until the upstream's response headers); the failover's attempt timer comes first. */
  timeoutMs?: number;
}


/**
 * Streamed chat completions over the official openai SDK, one client per region built the way OpenAIUpstream
 * builds its own (Azure deployments, pinned organisation and logging, no SDK retries). The stream's life is
 * bounded only by its signal: the SDK's timeout covers the wait for the response headers, never the answer's
 * length, and the attempt's time limit is the failover's to enforce while the stream opens.
 */
export class OpenAIStreamingUpstream implements StreamingUpstream {
  private readonly clients = new Map<string, RegionEndpoint>();
  private readonly timeoutMs: number;

  constructor(options: OpenAIStreamingUpstreamOptions) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    const env = options.env ?? process.env;
    for (const region of options.regions) this.clients.set(region.name, createRegionEndpoint(region, env, this.timeoutMs));
  }

  async openStream(region: string, request: UpstreamCompletionRequest, options: StreamOpenOptions): Promise<OpenedStream> {
    const entry = this.clients.get(region);
    if (!entry) throw new UpstreamError(`no upstream client for region "${region}"`, { status: 500 });
    const mapError = (error: unknown) => mapOpenAIError(error, { secret: entry.secret, timeoutMs: this.timeoutMs });
    try {
      const { data: stream, response } = await entry.client.chat.completions
        .create(
          {
            model: upstreamModelName(entry.config, request.model),
            messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
            temperature: request.temperature,
            ...(request.maxTokens > 0 ? { max_tokens: request.maxTokens } : {}),
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal: options.signal, timeout: this.timeoutMs + SDK_TIMEOUT_SLACK_MS, maxRetries: 0 },
        )
        .withResponse();
      return { parts: readParts(stream, request, mapError), rateLimit: parseRateLimitHeaders(response.headers) };
    } catch (error) {
      throw mapError(error);
    }
  }
}

/**
 * The SDK's chunks as deltas, then one `end`. Usage comes from the final usage chunk (stream_options.include_usage);
 * a compatible server that sends none is counted locally, as non-streamed answers are.
 */
async function* readParts(
  stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>,
  request: UpstreamCompletionRequest,
  mapError: (error: unknown) => UpstreamError,
): AsyncGenerator<StreamPart> {
  let finishReason = '';
  let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
  const text: string[] = [];
  try {
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      const content = choice?.delta?.content;
      if (content) {
        text.push(content);
        yield { type: 'delta', content };
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
  } catch (error) {
    throw mapError(error);
  }
  if (!finishReason) throw new UpstreamError('the upstream stream ended without a finish reason', { status: 502 });
  yield {
    type: 'end',
    finishReason,
    inputTokens: usage?.prompt_tokens ?? countChatTokens(request.messages),
    outputTokens: usage?.completion_tokens ?? countTextTokens(text.join('')),
  };
}
