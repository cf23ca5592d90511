import {
  Cancelled,
  DeadlineExpired,
  FailedPrecondition,
  InvalidArgument,
  NotFound,
  ResourceExhausted,
  Unavailable,
  isSwitchyardError,
  type SwitchyardError,
} from '@switchyard/service-kit/errors';
import { countChatTokens, countTextTokens } from '@switchyard/tokens';
import { systemTimers, type Clock, type Timers } from './clock';
import {
  validateCompletionItem,
  validateDispatch,
  validateEmbeddingItem,
  type CompletionDispatch,
  type CompletionValue,
  type DispatchRequest,
  type EmbeddingDispatch,
  type EmbeddingValue,
  type ItemResult,
} from './dispatch-request';
import type { RegionRouter, RegionStats } from './region-router';
import { splitEmbeddingBatch } from './split-embedding-batch';
import { UpstreamError, type UpstreamCallOptions, type UpstreamClient } from './upstream-client';

export type WorkKind = 'completion' | 'embedding';

/** Identifies one upstream attempt; `itemIndexes` point into the dispatch's items (for per-item trace links). */
export interface AttemptInfo {
  region: string;
  kind: WorkKind;
  model: string;
  /** 1 for the first region tried, 2 for the first failover, ... */
  attempt: number;
  itemIndexes: number[];
  /** Why the router chose this region. */
  reason: string;
}

export interface AttemptEvent extends AttemptInfo {
  status: 'ok' | 'throttled' | 'error';
  durationMs: number;
  inputTokens?: number;
  outputTokens?: number;
  /** HTTP status of a failed attempt, absent for network failures, deadline and cancellation. */
  httpStatus?: number;
  /** Short, credential-free description of a failure: "http 503", "network", "deadline", "cancelled". */
  error?: string;
}

export interface DispatcherOptions {
  router: RegionRouter;
  upstream: UpstreamClient;
  clock: Clock;
  timers?: Timers;
  /** Output tokens assumed for the reservation when a completion sets no max_tokens. */
  defaultMaxTokensEstimate?: number;
  /** Called after every upstream attempt (metrics, span events). Exceptions thrown here are ignored. */
  onAttempt?: (event: AttemptEvent) => void;
  /** Wraps every upstream attempt, e.g. to run it inside an active span so HTTP spans nest under it. */
  aroundAttempt?: <T>(info: AttemptInfo, run: () => Promise<T>) => Promise<T>;
}

interface Usage {
  inputTokens: number;
  outputTokens: number;
}

interface Work<T> {
  kind: WorkKind;
  model: string;
  userRegion: string;
  deadlineMs: number | undefined;
  signal: AbortSignal | undefined;
  allowedRegions: readonly string[] | undefined;
  itemIndexes: number[];
  estimatedTokens: number;
  call: (region: string, options: UpstreamCallOptions) => Promise<T>;
  usage: (value: T) => Usage;
}

type Stop = 'deadline' | 'cancelled';

/**
 * Sends a batch upstream: picks a region per unit of work, reserves its estimated tokens, calls the upstream
 * and fails over to the next best region on 429, 5xx or network errors while the deadline allows, trying
 * each region at most once.
 */
export class Dispatcher {
  private readonly router: RegionRouter;
  private readonly upstream: UpstreamClient;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly defaultMaxTokensEstimate: number;
  private readonly onAttempt: (event: AttemptEvent) => void;
  private readonly aroundAttempt: <T>(info: AttemptInfo, run: () => Promise<T>) => Promise<T>;

  constructor(options: DispatcherOptions) {
    this.router = options.router;
    this.upstream = options.upstream;
    this.clock = options.clock;
    this.timers = options.timers ?? systemTimers;
    this.defaultMaxTokensEstimate = options.defaultMaxTokensEstimate ?? 256;
    this.onAttempt = options.onAttempt ?? (() => undefined);
    this.aroundAttempt = options.aroundAttempt ?? ((_info, run) => run());
  }

  dispatch(request: CompletionDispatch): Promise<ItemResult<CompletionValue>[]>;
  dispatch(request: EmbeddingDispatch): Promise<ItemResult<EmbeddingValue>[]>;
  dispatch(request: DispatchRequest): Promise<ItemResult<CompletionValue>[] | ItemResult<EmbeddingValue>[]>;
  async dispatch(request: DispatchRequest): Promise<ItemResult<CompletionValue>[] | ItemResult<EmbeddingValue>[]> {
    validateDispatch(request);
    return request.kind === 'completion' ? this.dispatchCompletions(request) : this.dispatchEmbeddings(request);
  }

  stats(): RegionStats[] {
    return this.router.stats();
  }

  /** One upstream call per item, all in flight together; each item fails over on its own. */
  private dispatchCompletions(request: CompletionDispatch): Promise<ItemResult<CompletionValue>[]> {
    return Promise.all(
      request.items.map((item, index): Promise<ItemResult<CompletionValue>> => {
        const messages = validateCompletionItem(item);
        if (messages instanceof InvalidArgument) return Promise.resolve({ ok: false, error: messages, attempts: 0 });
        const upstreamRequest = {
          model: request.model,
          messages,
          temperature: item.temperature,
          maxTokens: item.maxTokens,
        };
        return this.runWithFailover<CompletionValue>({
          ...this.common(request),
          itemIndexes: [index],
          estimatedTokens: countChatTokens(messages) + (item.maxTokens > 0 ? item.maxTokens : this.defaultMaxTokensEstimate),
          call: (region, options) => this.upstream.complete(region, upstreamRequest, options),
          usage: (value) => ({ inputTokens: value.inputTokens, outputTokens: value.outputTokens }),
        });
      }),
    );
  }

  /** All inputs of all valid items in one upstream call (embeddings batch natively), split back per item. */
  private async dispatchEmbeddings(request: EmbeddingDispatch): Promise<ItemResult<EmbeddingValue>[]> {
    const results: ItemResult<EmbeddingValue>[] = new Array(request.items.length);
    const valid: number[] = [];
    request.items.forEach((item, index) => {
      const error = validateEmbeddingItem(item);
      if (error) results[index] = { ok: false, error, attempts: 0 };
      else valid.push(index);
    });
    if (valid.length === 0) return results;

    const inputs = valid.flatMap((index) => request.items[index].inputs);
    const localTokens = valid.map((index) => request.items[index].inputs.reduce((sum, text) => sum + countTextTokens(text), 0));
    const batch = await this.runWithFailover({
      ...this.common(request),
      itemIndexes: valid,
      estimatedTokens: localTokens.reduce((a, b) => a + b, 0),
      call: async (region, options) => {
        const answer = await this.upstream.embed(region, { model: request.model, inputs }, options);
        // A short answer cannot be split back to the right items; another region may answer properly.
        if (answer.vectors.length !== inputs.length) {
          throw new UpstreamError(`upstream returned ${answer.vectors.length} vectors for ${inputs.length} inputs`, {
            status: 502,
          });
        }
        return answer;
      },
      usage: (value) => ({ inputTokens: value.inputTokens, outputTokens: 0 }),
    });

    if (!batch.ok) {
      for (const index of valid) results[index] = batch;
      return results;
    }
    const values = splitEmbeddingBatch(
      valid.map((index) => request.items[index].inputs.length),
      localTokens,
      batch.value.vectors,
      batch.value.inputTokens,
    );
    valid.forEach((index, position) => {
      results[index] = { ok: true, value: values[position], region: batch.region, attempts: batch.attempts, reason: batch.reason };
    });
    return results;
  }

  private common(request: DispatchRequest) {
    return {
      kind: request.kind,
      model: request.model,
      userRegion: request.userRegion,
      deadlineMs: request.deadlineMs,
      signal: request.signal,
      allowedRegions: request.allowedRegions,
    };
  }

  private async runWithFailover<T>(work: Work<T>): Promise<ItemResult<T>> {
    const tried = new Set<string>();
    const failures: string[] = [];
    let attempts = 0;
    const fail = (error: SwitchyardError): ItemResult<T> => ({ ok: false, error, attempts });

    for (;;) {
      if (work.signal?.aborted) return fail(new Cancelled('request cancelled by the caller'));
      if (work.deadlineMs !== undefined && this.clock.now() >= work.deadlineMs) {
        return fail(
          new DeadlineExpired(
            attempts === 0
              ? 'deadline passed before the request was sent upstream'
              : `deadline passed after ${attempts} upstream attempt(s): ${failures.join(', ')}`,
          ),
        );
      }

      let decision;
      try {
        decision = this.router.choose(work.userRegion, { exclude: tried, allowed: work.allowedRegions });
      } catch (err) {
        if (!isSwitchyardError(err)) throw err;
        if (attempts === 0 || !(err instanceof ResourceExhausted)) return fail(err);
        return fail(
          new Unavailable(
            `upstream failed in ${attempts} region(s) (${failures.join(', ')}) and no other region can take it: ${err.message}`,
            this.retryAfterFor(tried, err.retryAfterMs),
          ),
        );
      }

      const region = decision.region;
      tried.add(region);
      attempts += 1;
      const info: AttemptInfo = {
        region,
        kind: work.kind,
        model: work.model,
        attempt: attempts,
        itemIndexes: work.itemIndexes,
        reason: decision.reason,
      };
      const reservation = this.router.reserve(region, work.estimatedTokens);
      const started = this.clock.now();
      const outcome = await this.attempt(work, info);
      const durationMs = this.clock.now() - started;

      if (outcome.ok) {
        const usage = work.usage(outcome.value);
        reservation.settle(usage.inputTokens + usage.outputTokens);
        this.router.recordSuccess(region, durationMs);
        this.emit({ ...info, status: 'ok', durationMs, ...usage });
        return { ok: true, value: outcome.value, region, attempts, reason: decision.reason };
      }

      // The upstream may have done the work, so a deadline or cancellation keeps the estimate as the usage.
      if (outcome.stop === 'deadline') {
        this.emit({ ...info, status: 'error', durationMs, error: 'deadline' });
        return fail(new DeadlineExpired(`deadline passed while waiting for region ${region} (attempt ${attempts})`));
      }
      if (outcome.stop === 'cancelled') {
        this.emit({ ...info, status: 'error', durationMs, error: 'cancelled' });
        return fail(new Cancelled('request cancelled by the caller'));
      }

      const error = outcome.error;
      reservation.settle(0);
      if (error instanceof UpstreamError && error.status === 429) {
        const cooldownMs = this.router.recordThrottle(region, error.retryAfterMs);
        this.emit({ ...info, status: 'throttled', durationMs, httpStatus: 429, error: 'http 429' });
        failures.push(`${region}: throttled, cooling down ${cooldownMs} ms`);
        continue;
      }
      if (isSwitchyardError(error)) {
        this.emit({ ...info, status: 'error', durationMs, error: error.kind });
        return fail(error);
      }
      const status = error instanceof UpstreamError ? error.status : undefined;
      const label = status === undefined ? 'network' : `http ${status}`;
      this.emit({ ...info, status: 'error', durationMs, httpStatus: status, error: label });
      // Anything that is not a typed UpstreamError is treated like a network failure: another region may work.
      if (error instanceof UpstreamError && !error.retriable) return fail(this.nonRetriable(error, work, region));
      this.router.recordFailure(region);
      failures.push(`${region}: ${label}`);
    }
  }

  /** Runs one upstream call, cut short (and aborted) when the deadline passes or the caller cancels. */
  private async attempt<T>(
    work: Work<T>,
    info: AttemptInfo,
  ): Promise<{ ok: true; value: T } | { ok: false; stop?: Stop; error?: unknown }> {
    const controller = new AbortController();
    let stop: Stop | undefined;
    let timer: unknown;
    let onCallerAbort: (() => void) | undefined;

    const stopped = new Promise<never>((_, reject) => {
      const halt = (why: Stop) => {
        stop ??= why;
        controller.abort();
        reject(new Error(why));
      };
      if (work.deadlineMs !== undefined) {
        timer = this.timers.setTimeout(() => halt('deadline'), Math.max(0, work.deadlineMs - this.clock.now()));
      }
      if (work.signal) {
        onCallerAbort = () => halt('cancelled');
        work.signal.addEventListener('abort', onCallerAbort, { once: true });
      }
    });
    // The losing side of the race must not surface as an unhandled rejection.
    stopped.catch(() => undefined);

    const timeoutMs = work.deadlineMs === undefined ? undefined : Math.max(1, work.deadlineMs - this.clock.now());
    try {
      const call = this.aroundAttempt(info, () => work.call(info.region, { signal: controller.signal, timeoutMs }));
      const value = await Promise.race([call, stopped]);
      return { ok: true, value };
    } catch (error) {
      if (stop === undefined && work.deadlineMs !== undefined && this.clock.now() >= work.deadlineMs) stop = 'deadline';
      return { ok: false, stop, error };
    } finally {
      if (timer !== undefined) this.timers.clearTimeout(timer);
      if (onCallerAbort) work.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  private nonRetriable(error: UpstreamError, work: { kind: WorkKind; model: string }, region: string): SwitchyardError {
    const status = error.status ?? 0;
    if (status === 400 || status === 413 || status === 422) {
      return new InvalidArgument(work.kind === 'completion' ? 'messages' : 'inputs', error.message);
    }
    if (status === 401 || status === 403) {
      return new FailedPrecondition(
        `upstream in region ${region} rejected our credentials (HTTP ${status}); check that region's API key`,
      );
    }
    if (status === 404) return new NotFound(`model "${work.model}" not found in region ${region}`);
    return new FailedPrecondition(`upstream in region ${region} refused the request (HTTP ${status}): ${error.message}`);
  }

  /** The earliest cool-down among the regions tried, else the router's own estimate. */
  private retryAfterFor(tried: ReadonlySet<string>, fallback: number | undefined): number | undefined {
    const cooldowns = [...tried].map((region) => this.router.cooldownMsLeft(region)).filter((ms) => ms > 0);
    return cooldowns.length > 0 ? Math.ceil(Math.min(...cooldowns)) : fallback;
  }

  private emit(event: AttemptEvent): void {
    try {
      this.onAttempt(event);
    } catch {
      // Telemetry must never fail a request.
    }
  }
}
