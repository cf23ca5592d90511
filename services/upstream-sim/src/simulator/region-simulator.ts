import { InvalidArgument, NotFound } from '@switchyard/service-kit/errors';
import { countChatTokens, countTextTokens } from '@switchyard/tokens';
import type { Clock } from '@switchyard/service-kit/clock';
import { FaultState, type Faults } from './fault-state';
import { SlidingRateWindow, type Admission, type RateLimits, type RateSnapshot } from './rate-window';
import { simulateAnswer, type ChatMessage, type FinishReason } from './simulated-answer';
import { DEFAULT_EMBEDDING_DIMENSIONS, simulateEmbedding } from './simulated-embedding';

export interface RegionSettings {
  region: string;
  models: readonly string[];
  /** Extra latency per output token (ms). */
  latencyPerTokenMs: number;
  limits: RateLimits;
  /** Faults at start-up and after reset(); `latencyMs` is the base latency. */
  faults: Faults;
  /** Seed of the PRNG that decides injected errors. */
  seed: number;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
}

export interface EmbeddingRequest {
  model: string;
  inputs: string[];
  dimensions?: number;
}

export interface ChatCompletionPlan {
  id: string;
  /** Seconds since the epoch, as OpenAI reports `created`. */
  created: number;
  model: string;
  content: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  /** Wait before the first output token. */
  firstTokenDelayMs: number;
  latencyPerTokenMs: number;
  /** Wait for the whole answer: first-token delay plus per-token latency for every completion token. */
  totalLatencyMs: number;
}

export interface EmbeddingPlan {
  model: string;
  vectors: number[][];
  promptTokens: number;
  latencyMs: number;
}

export type Decision<T> =
  | { outcome: 'ok'; plan: T; rate: RateSnapshot }
  | {
      outcome: 'rate-limited';
      limitedBy: 'tokens' | 'requests';
      retryAfterMs: number;
      message: string;
      rate: RateSnapshot;
    }
  | { outcome: 'injected-error'; status: number; rate: RateSnapshot }
  /** Injected hang: hold the request open without an answer until the client goes away. */
  | { outcome: 'hang'; rate: RateSnapshot };

export type RejectionReason = 'bad-request' | 'unauthorized' | 'not-found';

export interface SimulatorStats {
  region: string;
  /** Chat and embedding requests that passed validation. */
  requests: number;
  completions: number;
  embeddings: number;
  rateLimited: number;
  injectedErrors: number;
  /** Requests held open on purpose (hangRate). */
  hung: number;
  /** Requests whose client went away before the answer was complete. */
  cancelled: number;
  rejected: Record<RejectionReason, number>;
  /** Tokens charged since start (or the last reset). */
  promptTokens: number;
  completionTokens: number;
  window: { tokens: number; requests: number; remainingTokens: number; remainingRequests: number; resetMs: number };
  limits: RateLimits;
  faults: Faults;
}

/** The model asked for is not served by this region (OpenAI answers 404 `model_not_found`). */
export class ModelNotFound extends NotFound {
  constructor(readonly model: string, region: string) {
    super(`The model '${model}' does not exist or is not deployed in region ${region}`);
  }
}

/** Embedding models are told apart by name, as OpenAI's are ("text-embedding-3-small"). */
export function isEmbeddingModel(model: string): boolean {
  return /embed/i.test(model);
}

/**
 * One region of an OpenAI-like upstream, without I/O: decides for each request whether it is throttled,
 * fails by injection or is answered, and what the answer and its latency are. The HTTP layer does the waiting.
 */
export class RegionSimulator {
  private readonly window: SlidingRateWindow;
  private readonly faultState: FaultState;
  private sequence = 0;
  private counters = emptyCounters();

  constructor(
    private readonly settings: RegionSettings,
    private readonly clock: Clock,
  ) {
    this.window = new SlidingRateWindow(settings.limits, clock);
    this.faultState = new FaultState(settings.faults, settings.seed);
  }

  get region(): string {
    return this.settings.region;
  }

  listModels(): readonly string[] {
    return this.settings.models;
  }

  planCompletion(request: ChatRequest): Decision<ChatCompletionPlan> {
    this.requireModel(request.model, 'chat');
    this.counters.requests++;
    this.counters.completions++;
    const answer = simulateAnswer({
      region: this.settings.region,
      model: request.model,
      messages: request.messages,
      maxTokens: request.maxTokens,
    });
    const promptTokens = countChatTokens(request.messages);
    return this.decide(request.model, promptTokens + answer.completionTokens, () => {
      const faults = this.faultState.current();
      this.counters.promptTokens += promptTokens;
      this.counters.completionTokens += answer.completionTokens;
      return {
        id: `chatcmpl-sim-${this.settings.region}-${++this.sequence}`,
        created: Math.floor(this.clock.now() / 1000),
        model: request.model,
        content: answer.content,
        finishReason: answer.finishReason,
        promptTokens,
        completionTokens: answer.completionTokens,
        firstTokenDelayMs: faults.latencyMs,
        latencyPerTokenMs: this.settings.latencyPerTokenMs,
        totalLatencyMs: faults.latencyMs + answer.completionTokens * this.settings.latencyPerTokenMs,
      };
    });
  }

  planEmbedding(request: EmbeddingRequest): Decision<EmbeddingPlan> {
    this.requireModel(request.model, 'embedding');
    this.counters.requests++;
    this.counters.embeddings++;
    const promptTokens = request.inputs.reduce((sum, text) => sum + countTextTokens(text), 0);
    return this.decide(request.model, promptTokens, () => {
      this.counters.promptTokens += promptTokens;
      const dimensions = request.dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
      return {
        model: request.model,
        vectors: request.inputs.map((text) => simulateEmbedding(text, dimensions)),
        promptTokens,
        latencyMs: this.faultState.current().latencyMs,
      };
    });
  }

  recordCancelled(): void {
    this.counters.cancelled++;
  }

  recordRejected(reason: RejectionReason): void {
    this.counters.rejected[reason]++;
  }

  faults(): Faults {
    return this.faultState.current();
  }

  updateFaults(patch: Partial<Faults>): Faults {
    return this.faultState.update(patch);
  }

  /** Configured faults, an empty rate window, zeroed counters and the PRNG back at its seed. */
  reset(): void {
    this.faultState.reset();
    this.window.clear();
    this.counters = emptyCounters();
  }

  stats(): SimulatorStats {
    const rate = this.window.snapshot();
    return {
      region: this.settings.region,
      ...this.counters,
      rejected: { ...this.counters.rejected },
      window: {
        tokens: rate.usedTokens,
        requests: rate.usedRequests,
        remainingTokens: rate.remainingTokens,
        remainingRequests: rate.remainingRequests,
        resetMs: rate.resetMs,
      },
      limits: { ...this.settings.limits },
      faults: this.faultState.current(),
    };
  }

  private requireModel(model: string, kind: 'chat' | 'embedding'): void {
    if (!this.settings.models.includes(model)) throw new ModelNotFound(model, this.settings.region);
    if (kind === 'chat' && isEmbeddingModel(model)) {
      throw new InvalidArgument('model', `'${model}' is an embedding model; it cannot be used for chat completions`);
    }
    if (kind === 'embedding' && !isEmbeddingModel(model)) {
      throw new InvalidArgument('model', `'${model}' is not an embedding model`);
    }
  }

  // Order of a real gateway: a throttled deployment answers 429 before anything else; injected failures and
  // hangs happen before admission so they cost no quota; then the sliding window decides.
  private decide<T>(model: string, tokens: number, answer: () => T): Decision<T> {
    const faults = this.faultState.current();
    if (this.faultState.drawThrottle()) {
      this.counters.rateLimited++;
      return {
        outcome: 'rate-limited',
        limitedBy: 'requests',
        retryAfterMs: Math.max(1, faults.throttleRetryAfterMs),
        message:
          `Rate limit reached for ${model} in region ${this.settings.region}: the deployment is throttled. ` +
          `Please try again in ${formatSeconds(faults.throttleRetryAfterMs)}.`,
        rate: { ...this.window.snapshot(), remainingTokens: 0, remainingRequests: 0 },
      };
    }
    const status = this.faultState.drawError();
    if (status !== undefined) {
      this.counters.injectedErrors++;
      return { outcome: 'injected-error', status, rate: this.window.snapshot() };
    }
    if (this.faultState.drawHang()) {
      this.counters.hung++;
      return { outcome: 'hang', rate: this.window.snapshot() };
    }
    const admission = this.window.tryAdmit(tokens);
    if (!admission.admitted) {
      this.counters.rateLimited++;
      return {
        outcome: 'rate-limited',
        limitedBy: admission.limitedBy,
        retryAfterMs: admission.retryAfterMs,
        message: rateLimitMessage(`${model} in region ${this.settings.region}`, admission),
        rate: admission.snapshot,
      };
    }
    return { outcome: 'ok', plan: answer(), rate: admission.snapshot };
  }
}

/** OpenAI's wording, so log readers and clients that show the message see the familiar text. */
function rateLimitMessage(where: string, admission: Extract<Admission, { admitted: false }>): string {
  const { snapshot, requestedTokens } = admission;
  if (admission.tooLarge) {
    return `Request too large for ${where} on tokens per min (TPM): Limit ${snapshot.limitTokens}, Requested ${requestedTokens}.`;
  }
  const retry = `Please try again in ${formatSeconds(admission.retryAfterMs)}.`;
  if (admission.limitedBy === 'tokens') {
    return (
      `Rate limit reached for ${where} on tokens per min (TPM): ` +
      `Limit ${snapshot.limitTokens}, Used ${snapshot.usedTokens}, Requested ${requestedTokens}. ${retry}`
    );
  }
  return (
    `Rate limit reached for ${where} on requests per min (RPM): ` +
    `Limit ${snapshot.limitRequests}, Used ${snapshot.usedRequests}, Requested 1. ${retry}`
  );
}

function emptyCounters() {
  return {
    requests: 0,
    completions: 0,
    embeddings: 0,
    rateLimited: 0,
    injectedErrors: 0,
    hung: 0,
    cancelled: 0,
    rejected: { 'bad-request': 0, unauthorized: 0, 'not-found': 0 } as Record<RejectionReason, number>,
    promptTokens: 0,
    completionTokens: 0,
  };
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms) / 1000}s`;
}
