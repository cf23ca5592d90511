import { systemTimers, type Clock, type Timers } from '@switchyard/service-kit/clock';
import { Cancelled, DeadlineExpired, InvalidArgument, Unavailable, isSwitchyardError } from '@switchyard/service-kit/errors';
import { countChatTokens } from '@switchyard/tokens';
import type { AroundAttempt, Failover, Residency } from '../routing';
import { validateCompletionItem } from '../routing/dispatch-request';
import type { OpenedStream, StreamingUpstream } from './streaming-upstream';

export interface StreamDispatchInput {
  model: string;
  userRegion: string;
  tenant: string;
  messages: readonly { role: string; content: string }[];
  temperature: number;
  maxTokens: number;
  /** Absolute deadline (ms since the epoch) for the whole stream. */
  deadlineMs?: number;
  /** The caller going away. */
  signal?: AbortSignal;
}

export type StreamDispatchEvent =
  | { type: 'started'; region: string; attempts: number; reason: string }
  | { type: 'delta'; content: string }
  | { type: 'finished'; inputTokens: number; outputTokens: number; finishReason: string };

/** Follows one stream's successful attempt to its end (its span stays open while the answer streams). */
export interface StreamAttemptTrace {
  aroundAttempt: AroundAttempt;
  /** Ends the open attempt: with usage when the stream completed, with the error when it broke, bare when abandoned. */
  end(outcome: { usage?: { inputTokens: number; outputTokens: number; finishReason: string }; error?: unknown }): void;
}

export interface StreamDispatcherOptions {
  /** A failover for one stream, with that stream's attempt wrapper (spans). */
  failoverFor: (aroundAttempt: AroundAttempt) => Failover;
  upstream: StreamingUpstream;
  residency: Residency;
  clock: Clock;
  timers?: Timers;
  /** Output tokens assumed for the reservation when a completion sets no max_tokens. */
  defaultMaxTokensEstimate: number;
  /** Per stream; the default traces nothing. */
  traceStream?: () => StreamAttemptTrace;
}

const UNTRACED: () => StreamAttemptTrace = () => ({ aroundAttempt: (_info, run) => run(), end: () => undefined });

/**
 * Streams one completion. Choosing the region, the breaker, failover on 429 / 5xx / timeouts, residency and
 * the deadline are the batch path's own `Failover`, applied to opening the stream: until an upstream has
 * accepted the request, another region may take it. Once text has started to flow nothing can be taken back,
 * so a stream that breaks later fails the call instead of failing over.
 *
 * The region's load counts the stream's estimated tokens (prompt plus max_tokens) from the moment it opens:
 * the router's reservation settles when the attempt ends, which for a stream is when it opens.
 */
export class StreamDispatcher {
  private readonly timers: Timers;
  private readonly traceStream: () => StreamAttemptTrace;

  constructor(private readonly options: StreamDispatcherOptions) {
    this.timers = options.timers ?? systemTimers;
    this.traceStream = options.traceStream ?? UNTRACED;
  }

  async *stream(input: StreamDispatchInput): AsyncGenerator<StreamDispatchEvent, void, undefined> {
    if (typeof input.model !== 'string' || input.model.trim() === '') throw new InvalidArgument('model', 'is required');
    const messages = validateCompletionItem({ messages: input.messages, temperature: input.temperature, maxTokens: input.maxTokens });
    if (messages instanceof InvalidArgument) throw messages;

    // One controller ends the whole stream: the caller leaving, the deadline passing, or the consumer stopping.
    const stream = new AbortController();
    const onCallerAbort = () => stream.abort(new Cancelled('request cancelled by the caller'));
    if (input.signal?.aborted) onCallerAbort();
    else input.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const deadlineTimer =
      input.deadlineMs === undefined
        ? undefined
        : this.timers.setTimeout(
            () => stream.abort(new DeadlineExpired('deadline passed while the answer was streaming')),
            Math.max(0, input.deadlineMs - this.options.clock.now()),
          );
    const trace = this.traceStream();
    let traced = false;
    const end = (outcome: Parameters<StreamAttemptTrace['end']>[0]) => {
      if (traced) return;
      traced = true;
      trace.end(outcome);
    };

    try {
      const promptTokens = countChatTokens(messages);
      const outputEstimate = input.maxTokens > 0 ? input.maxTokens : this.options.defaultMaxTokensEstimate;
      const request = { model: input.model, messages, temperature: input.temperature, maxTokens: input.maxTokens };
      const opened = await this.options.failoverFor(trace.aroundAttempt).run<OpenedStream>({
        kind: 'completion',
        model: input.model,
        userRegion: input.userRegion,
        deadlineMs: input.deadlineMs,
        signal: input.signal,
        allowedRegions: this.options.residency.allowedFor(input.tenant),
        itemIndexes: [0],
        estimatedTokens: promptTokens + outputEstimate,
        call: (region, attempt) =>
          this.options.upstream.openStream(region, request, {
            signal: attempt.signal ? AbortSignal.any([attempt.signal, stream.signal]) : stream.signal,
          }),
        usage: () => ({ inputTokens: promptTokens, outputTokens: outputEstimate }),
      });
      if (!opened.ok) {
        traced = true;
        throw opened.error;
      }
      yield { type: 'started', region: opened.region, attempts: opened.attempts, reason: opened.reason };

      let finished: Extract<StreamDispatchEvent, { type: 'finished' }> | undefined;
      try {
        for await (const part of opened.value.parts) {
          if (part.type === 'delta') {
            if (part.content !== '') yield { type: 'delta', content: part.content };
          } else {
            finished = { type: 'finished', inputTokens: part.inputTokens, outputTokens: part.outputTokens, finishReason: part.finishReason };
          }
        }
      } catch (err) {
        if (stream.signal.aborted) throw stream.signal.reason;
        end({ error: err });
        if (isSwitchyardError(err)) throw err;
        throw new Unavailable(`the upstream stream from region ${opened.region} broke after it started: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!finished) {
        const error = new Unavailable(`the upstream stream from region ${opened.region} ended before the answer was complete`);
        end({ error });
        throw error;
      }
      end({ usage: finished });
      yield finished;
    } finally {
      // Abandoned (the consumer stopped reading) or failed: the upstream request must not keep streaming.
      end({});
      stream.abort(new Cancelled('stream closed'));
      if (deadlineTimer !== undefined) this.timers.clearTimeout(deadlineTimer);
      input.signal?.removeEventListener('abort', onCallerAbort);
    }
  }
}
