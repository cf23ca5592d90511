import { systemTimers, type Clock, type Timers } from '@switchyard/service-kit/clock';
import { InvalidArgument } from '@switchyard/service-kit/errors';
import { countChatTokens, countTextTokens } from '@switchyard/tokens';
import {
  itemDeadline,
  validateCompletionItem,
  validateDispatch,
  validateEmbeddingItem,
  type CompletionDispatch,
  type CompletionValue,
  type DispatchOutcome,
  type DispatchRequest,
  type EmbeddingDispatch,
  type EmbeddingValue,
  type ItemResult,
} from './dispatch-request';
import { Failover, type AroundAttempt, type AttemptEvent } from './failover';
import type { RegionRouter } from './region-router';
import { splitEmbeddingBatch } from './split-embedding-batch';
import { Residency } from './tenant-residency';
import { UpstreamError, type UpstreamClient, type UpstreamEmbeddings } from './upstream-client';

export interface DispatcherOptions {
  router: RegionRouter;
  upstream: UpstreamClient;
  clock: Clock;
  timers?: Timers;
  /** Which regions each tenant may use; unlimited when omitted. */
  residency?: Residency;
  /** Output tokens assumed for the reservation when a completion sets no max_tokens. */
  defaultMaxTokensEstimate?: number;
  /** Longest any single attempt may take (default 60 s). */
  upstreamTimeoutMs?: number;
  /** Share of the time left that one attempt may use while failover is still possible (default 0.5). */
  attemptDeadlineShare?: number;
  /** Called after every upstream attempt (metrics, logs). Exceptions thrown here are ignored. */
  onAttempt?: (event: AttemptEvent) => void;
  /** Wraps every upstream attempt, e.g. to run it inside a span so the HTTP span nests under it. */
  aroundAttempt?: AroundAttempt;
}

/**
 * Sends a batch upstream. Completions: one upstream call per item, all in flight together, each failing over
 * on its own within its own deadline and its tenant's regions. Embeddings: the items of the batch whose
 * tenants may use the same regions become ONE upstream call (embeddings batch natively), split back per item.
 */
export class Dispatcher {
  private readonly upstream: UpstreamClient;
  private readonly residency: Residency;
  private readonly defaultMaxTokensEstimate: number;
  private readonly failover: Failover;

  constructor(options: DispatcherOptions) {
    this.upstream = options.upstream;
    this.residency = options.residency ?? new Residency();
    this.defaultMaxTokensEstimate = options.defaultMaxTokensEstimate ?? 256;
    this.failover = new Failover({
      router: options.router,
      clock: options.clock,
      timers: options.timers ?? systemTimers,
      upstreamTimeoutMs: options.upstreamTimeoutMs ?? 60_000,
      attemptDeadlineShare: options.attemptDeadlineShare ?? 0.5,
      onAttempt: options.onAttempt ?? (() => undefined),
      aroundAttempt: options.aroundAttempt ?? ((_info, run) => run()),
    });
  }

  dispatch(request: CompletionDispatch): Promise<DispatchOutcome<CompletionValue>>;
  dispatch(request: EmbeddingDispatch): Promise<DispatchOutcome<EmbeddingValue>>;
  dispatch(request: DispatchRequest): Promise<DispatchOutcome<CompletionValue> | DispatchOutcome<EmbeddingValue>>;
  async dispatch(request: DispatchRequest): Promise<DispatchOutcome<CompletionValue> | DispatchOutcome<EmbeddingValue>> {
    validateDispatch(request);
    return request.kind === 'completion' ? this.dispatchCompletions(request) : this.dispatchEmbeddings(request);
  }

  private async dispatchCompletions(request: CompletionDispatch): Promise<DispatchOutcome<CompletionValue>> {
    const results = await Promise.all(
      request.items.map((item, index): Promise<ItemResult<CompletionValue>> => {
        const messages = validateCompletionItem(item);
        if (messages instanceof InvalidArgument) return Promise.resolve({ ok: false, error: messages, attempts: 0, tried: [] });
        const upstreamRequest = { model: request.model, messages, temperature: item.temperature, maxTokens: item.maxTokens };
        return this.failover.run<CompletionValue>({
          kind: 'completion',
          model: request.model,
          userRegion: request.userRegion,
          deadlineMs: itemDeadline(item, request.deadlineMs),
          signal: request.signal,
          allowedRegions: this.residency.allowedFor(item.tenant ?? ''),
          itemIndexes: [index],
          estimatedTokens: countChatTokens(messages) + (item.maxTokens > 0 ? item.maxTokens : this.defaultMaxTokensEstimate),
          call: (region, options) => this.upstream.complete(region, upstreamRequest, options),
          usage: (value) => ({ inputTokens: value.inputTokens, outputTokens: value.outputTokens }),
        });
      }),
    );
    return { results, upstreamCallsSaved: 0 };
  }

  /**
   * Items are grouped by their tenants' allowed regions: a call may only go where every item in it may go, so
   * items of an EU-only tenant never ride in a call that fails over to a US region, and others are not held
   * to EU regions on their account.
   */
  private async dispatchEmbeddings(request: EmbeddingDispatch): Promise<DispatchOutcome<EmbeddingValue>> {
    const results: ItemResult<EmbeddingValue>[] = new Array(request.items.length);
    const groups = new Map<string, number[]>();
    request.items.forEach((item, index) => {
      const error = validateEmbeddingItem(item);
      if (error) {
        results[index] = { ok: false, error, attempts: 0, tried: [] };
        return;
      }
      const key = this.residency.groupKey(item.tenant ?? '');
      groups.set(key, [...(groups.get(key) ?? []), index]);
    });
    await Promise.all([...groups.values()].map((indexes) => this.embedGroup(request, indexes, results)));
    const grouped = [...groups.values()].reduce((sum, indexes) => sum + indexes.length, 0);
    return { results, upstreamCallsSaved: grouped - groups.size };
  }

  private async embedGroup(request: EmbeddingDispatch, indexes: number[], results: ItemResult<EmbeddingValue>[]): Promise<void> {
    const items = indexes.map((index) => request.items[index]!);
    const inputs = items.flatMap((item) => item.inputs);
    const localTokens = items.map((item) => item.inputs.reduce((sum, text) => sum + countTextTokens(text), 0));
    // One call serves the whole group, so it may run until the latest of their deadlines.
    const deadlines = items.map((item) => itemDeadline(item, request.deadlineMs));
    const deadlineMs = deadlines.some((d) => d === undefined) ? undefined : Math.max(...(deadlines as number[]));
    const batch = await this.failover.run<UpstreamEmbeddings>({
      kind: 'embedding',
      model: request.model,
      userRegion: request.userRegion,
      deadlineMs,
      signal: request.signal,
      allowedRegions: this.residency.allowedFor(items[0]!.tenant ?? ''),
      itemIndexes: indexes,
      estimatedTokens: localTokens.reduce((a, b) => a + b, 0),
      call: async (region, options) => {
        const answer = await this.upstream.embed(region, { model: request.model, inputs }, options);
        // A short answer cannot be split back to the right items; another region may answer properly.
        if (answer.vectors.length !== inputs.length) {
          throw new UpstreamError(`upstream returned ${answer.vectors.length} vectors for ${inputs.length} inputs`, { status: 502 });
        }
        return answer;
      },
      usage: (value) => ({ inputTokens: value.inputTokens, outputTokens: 0 }),
    });

    if (!batch.ok) {
      for (const index of indexes) results[index] = batch;
      return;
    }
    const values = splitEmbeddingBatch(
      items.map((item) => item.inputs.length),
      localTokens,
      batch.value.vectors,
      batch.value.inputTokens,
    );
    indexes.forEach((index, position) => {
      results[index] = { ...batch, value: values[position]! };
    });
  }
}
