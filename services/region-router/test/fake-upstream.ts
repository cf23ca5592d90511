import type {
  UpstreamCallOptions,
  UpstreamClient,
  UpstreamCompletion,
  UpstreamCompletionRequest,
  UpstreamEmbeddingRequest,
  UpstreamEmbeddings,
} from '../src/routing';

type CompleteFn = (region: string, request: UpstreamCompletionRequest, options?: UpstreamCallOptions) => Promise<UpstreamCompletion>;
type EmbedFn = (region: string, request: UpstreamEmbeddingRequest, options?: UpstreamCallOptions) => Promise<UpstreamEmbeddings>;

/** An UpstreamClient whose answers each test scripts per region; it records every call. */
export class FakeUpstream implements UpstreamClient {
  readonly completeCalls: Array<{ region: string; request: UpstreamCompletionRequest; options?: UpstreamCallOptions }> = [];
  readonly embedCalls: Array<{ region: string; request: UpstreamEmbeddingRequest }> = [];
  onComplete: CompleteFn = async (region) => answer(`from ${region}`);
  onEmbed: EmbedFn = async (_region, request) => ({
    vectors: request.inputs.map((_, i) => [i]),
    inputTokens: request.inputs.length * 3,
  });

  complete(region: string, request: UpstreamCompletionRequest, options?: UpstreamCallOptions) {
    this.completeCalls.push({ region, request, options });
    return this.onComplete(region, request, options);
  }

  embed(region: string, request: UpstreamEmbeddingRequest, options?: UpstreamCallOptions) {
    this.embedCalls.push({ region, request });
    return this.onEmbed(region, request, options);
  }
}

export const answer = (content: string, inputTokens = 10, outputTokens = 5): UpstreamCompletion => ({
  content,
  inputTokens,
  outputTokens,
  finishReason: 'stop',
});

export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A clock moved by hand; `advance` lets time pass without any timer firing. */
export function manualClock(start = 1_700_000_000_000) {
  const clock = { t: start, now: () => clock.t, advance: (ms: number) => void (clock.t += ms) };
  return clock;
}
