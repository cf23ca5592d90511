import { FailedPrecondition, InvalidArgument } from '@switchyard/service-kit/errors';
import { countChatTokens } from '@switchyard/tokens';
import { isChatModel, type ModelCatalog, type ModelEntry } from '../catalog/model-entry';
import { COMPLEXITY_TIERS, complexityTier, estimateComplexity } from './estimate-complexity';
import {
  DEFAULT_ROUTING_OPTIONS,
  type ChatMessage,
  type RouteDecision,
  type RouteRequest,
  type RoutingOptions,
} from './route-request';

const REASONING_CAPABILITY = 'reasoning';

/** The chosen model, why, and the candidate set its fallbacks come from. */
interface Choice {
  model: ModelEntry;
  reason: string;
  candidates: readonly ModelEntry[];
}

/** Token sizes of one request, and what they mean for each model. */
class RequestSize {
  constructor(
    readonly inputTokens: number,
    readonly outputTokens: number,
  ) {}

  fits(model: ModelEntry): boolean {
    return this.inputTokens + this.outputTokens <= model.contextWindow;
  }

  /** Estimated USD for this request; "cheapest" means cheapest for this prompt, not per token. */
  cost(model: ModelEntry): number {
    return (this.inputTokens * model.costPer1kInput + this.outputTokens * model.costPer1kOutput) / 1000;
  }

  describe(): string {
    return `prompt of ${this.inputTokens} tokens (+${this.outputTokens} reserved for output)`;
  }
}

/**
 * Picks the model for a chat request. Rules in order: an explicit model; the prompt must fit the
 * context window; require_reasoning; max_latency_ms; then the complexity estimate. Throws
 * InvalidArgument naming the field when the request cannot be served by any configured model.
 */
export function selectModel(
  request: RouteRequest,
  catalog: ModelCatalog,
  options: Partial<RoutingOptions> = {},
): RouteDecision {
  const settings: RoutingOptions = { ...DEFAULT_ROUTING_OPTIONS, ...options };
  validateRequest(request);
  const inputTokens = countChatTokens(request.messages);
  const size = new RequestSize(
    inputTokens,
    request.maxTokens > 0 ? request.maxTokens : settings.defaultMaxOutputTokens,
  );
  const complexity = estimateComplexity({ text: userText(request.messages), contextTokens: inputTokens });
  const choice = choose(request, catalog, size, complexity, settings);
  return {
    model: choice.model.name,
    tier: choice.model.tier,
    reason: choice.reason,
    fallbacks: byPreference(
      choice.candidates.filter((m) => m !== choice.model),
      size,
    ).map((m) => m.name),
    complexity,
    estimatedInputTokens: inputTokens,
  };
}

function choose(
  request: RouteRequest,
  catalog: ModelCatalog,
  size: RequestSize,
  complexity: number,
  settings: RoutingOptions,
): Choice {
  const chatModels = catalog.filter(isChatModel);
  const requested = request.model?.trim();
  if (requested) return chooseRequested(requested, catalog, chatModels, size);

  const fitting = chatModels.filter((m) => size.fits(m));
  if (fitting.length === 0) {
    throw new InvalidArgument(
      'messages',
      `${size.describe()} exceeds every model's context window (largest: ${largestWindow(chatModels)}); ` +
        'shorten the conversation or lower max_tokens',
    );
  }
  const choice = request.requireReasoning
    ? chooseForReasoning(chatModels, fitting, size, request.maxLatencyMs)
    : chooseByLatencyThenComplexity(chatModels, fitting, size, complexity, request.maxLatencyMs, settings);
  const excluded = chatModels.filter((m) => !size.fits(m));
  if (excluded.length === 0) return choice;
  return { ...choice, reason: `${choice.reason}; excluded as too small for the prompt: ${names(excluded)}` };
}

function chooseRequested(
  requested: string,
  catalog: ModelCatalog,
  chatModels: readonly ModelEntry[],
  size: RequestSize,
): Choice {
  const model = chatModels.find((m) => m.name === requested);
  if (!model) {
    const known = `known: ${names(chatModels)}`;
    const isEmbedding = catalog.some((m) => m.name === requested);
    throw new InvalidArgument(
      'model',
      isEmbedding
        ? `"${requested}" is an embedding model and cannot answer chat requests; ${known}`
        : `unknown model "${requested}"; ${known}`,
    );
  }
  if (!size.fits(model)) {
    throw new InvalidArgument(
      'messages',
      `${size.describe()} exceeds the context window of "${model.name}" (${model.contextWindow} tokens); ` +
        'shorten the conversation, lower max_tokens or request a larger model',
    );
  }
  // A pinned model gets no other-model fallbacks: swapping it would override the caller's choice.
  return { model, reason: `requested: "${model.name}" was asked for by the caller`, candidates: [model] };
}

function chooseForReasoning(
  chatModels: readonly ModelEntry[],
  fitting: readonly ModelEntry[],
  size: RequestSize,
  maxLatencyMs: number,
): Choice {
  const capable = chatModels.filter(hasReasoning);
  if (capable.length === 0) {
    throw new FailedPrecondition(
      `require_reasoning: no chat model in the catalog has the "${REASONING_CAPABILITY}" capability`,
    );
  }
  const capableFitting = fitting.filter(hasReasoning);
  if (capableFitting.length === 0) {
    throw new InvalidArgument(
      'messages',
      `${size.describe()} exceeds the context window of every reasoning model (largest: ${largestWindow(capable)}); ` +
        'shorten the conversation or lower max_tokens',
    );
  }
  let candidates = capableFitting;
  let note = '';
  if (maxLatencyMs > 0) {
    const fast = capableFitting.filter((m) => m.latencyMs <= maxLatencyMs);
    if (fast.length > 0) candidates = fast;
    else note = `; no reasoning model meets max_latency_ms ${maxLatencyMs}, require_reasoning took precedence`;
  }
  const model = byPreference(candidates, size)[0]!;
  return { model, reason: `require_reasoning: chose ${model.name} (${model.tier} tier)${note}`, candidates };
}

function chooseByLatencyThenComplexity(
  chatModels: readonly ModelEntry[],
  fitting: readonly ModelEntry[],
  size: RequestSize,
  complexity: number,
  maxLatencyMs: number,
  settings: RoutingOptions,
): Choice {
  if (maxLatencyMs > 0) {
    const fast = fitting.filter((m) => m.latencyMs <= maxLatencyMs);
    if (fast.length === 0) {
      const model = [...fitting].sort(
        (a, b) => a.latencyMs - b.latencyMs || b.quality - a.quality || size.cost(a) - size.cost(b),
      )[0]!;
      return {
        model,
        reason:
          `max_latency_ms ${maxLatencyMs}: no model is that fast; ` +
          `chose the fastest, ${model.name} (${model.latencyMs} ms typical)`,
        candidates: fitting,
      };
    }
    if (fast.length === 1) {
      const model = fast[0]!;
      return {
        model,
        reason:
          `max_latency_ms ${maxLatencyMs}: chose ${model.name}, ` +
          `the only model within ${maxLatencyMs} ms typical latency`,
        candidates: fast,
      };
    }
    if (fast.length < fitting.length) {
      const choice = chooseByComplexity(fast, chatModels, size, complexity, settings);
      return { ...choice, reason: `max_latency_ms ${maxLatencyMs} left ${names(fast)}; ${choice.reason}` };
    }
  }
  return chooseByComplexity(fitting, chatModels, size, complexity, settings);
}

function chooseByComplexity(
  candidates: readonly ModelEntry[],
  chatModels: readonly ModelEntry[],
  size: RequestSize,
  complexity: number,
  settings: RoutingOptions,
): Choice {
  const tier = complexityTier(complexity, settings);
  const label = `complexity ${complexity.toFixed(2)} → ${tier} tier`;
  const inTier = candidates.filter((m) => m.tier === tier);
  if (inTier.length > 0) {
    const model = [...inTier].sort(
      (a, b) => size.cost(a) - size.cost(b) || b.quality - a.quality || a.name.localeCompare(b.name),
    )[0]!;
    return { model, reason: `${label}: chose ${model.name} (cheapest in tier)`, candidates };
  }
  const floor = tierQualityFloor(tier, chatModels);
  const atOrAbove = candidates.filter((m) => m.quality >= floor);
  if (atOrAbove.length > 0) {
    const model = [...atOrAbove].sort(
      (a, b) => a.quality - b.quality || size.cost(a) - size.cost(b) || a.name.localeCompare(b.name),
    )[0]!;
    return {
      model,
      reason: `${label} has no eligible model; chose ${model.name}, the nearest higher-quality model`,
      candidates,
    };
  }
  const model = byPreference(candidates, size)[0]!;
  return {
    model,
    reason: `${label} has no eligible model and none ranks higher; chose ${model.name}, the best available`,
    candidates,
  };
}

/**
 * The lowest quality in the tier across the whole catalog, so "nearest higher-quality" still means
 * something when the tier's own models were excluded. A tier the catalog lacks borrows the next tier up;
 * with none, only "best available" remains.
 */
function tierQualityFloor(tier: string, chatModels: readonly ModelEntry[]): number {
  const start = COMPLEXITY_TIERS.findIndex((t) => t === tier);
  for (const candidateTier of COMPLEXITY_TIERS.slice(Math.max(start, 0))) {
    const members = chatModels.filter((m) => m.tier === candidateTier);
    if (members.length > 0) return Math.min(...members.map((m) => m.quality));
  }
  return Infinity;
}

/** Quality descending, then cheapest for this request, then name for a stable order. */
function byPreference(models: readonly ModelEntry[], size: RequestSize): ModelEntry[] {
  return [...models].sort(
    (a, b) => b.quality - a.quality || size.cost(a) - size.cost(b) || a.name.localeCompare(b.name),
  );
}

function hasReasoning(model: ModelEntry): boolean {
  return model.capabilities.includes(REASONING_CAPABILITY);
}

function largestWindow(models: readonly ModelEntry[]): number {
  return Math.max(0, ...models.map((m) => m.contextWindow));
}

function names(models: readonly ModelEntry[]): string {
  return models.map((m) => m.name).join(', ');
}

/** The text the user wrote: system prompts and earlier answers would skew the length and keyword factors. */
function userText(messages: readonly ChatMessage[]): string {
  return messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
}

function validateRequest(request: RouteRequest): void {
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    throw new InvalidArgument('messages', 'at least one message is required');
  }
  request.messages.forEach((m, i) => {
    if (typeof m.role !== 'string' || m.role.trim() === '') {
      throw new InvalidArgument(`messages[${i}].role`, 'must be a non-empty role such as "user"');
    }
    if (typeof m.content !== 'string') throw new InvalidArgument(`messages[${i}].content`, 'must be text');
  });
  requireWholeNumber('max_latency_ms', request.maxLatencyMs, 'milliseconds (0 = no limit)');
  requireWholeNumber('max_tokens', request.maxTokens, 'tokens (0 = default)');
}

function requireWholeNumber(field: string, value: number, unit: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgument(field, `must be a whole number of ${unit}, got ${String(value)}`);
  }
}
