import { InvalidArgument, type SwitchyardError } from '@switchyard/service-kit/errors';
import type { AttemptOutcome } from './attempt-report';
import { CHAT_ROLES, type ChatMessage, type ChatRole, type UpstreamCompletion } from './upstream-client';

/** What every item carries besides its payload. */
export interface ItemContext {
  /** The request's tenant; its residency limits the regions that may serve the item. '' when unknown. */
  tenant?: string;
  /** This item's own deadline (ms since the epoch); the dispatch's deadline when absent. */
  deadlineMs?: number;
}

export interface CompletionItem extends ItemContext {
  messages: readonly { role: string; content: string }[];
  temperature: number;
  /** 0 leaves the limit to the upstream (the reservation then assumes a default). */
  maxTokens: number;
}

export interface EmbeddingItem extends ItemContext {
  inputs: readonly string[];
}

interface DispatchBase {
  model: string;
  /** The caller's region; '' when unknown (then the least-loaded closest region wins). */
  userRegion: string;
  /** Absolute deadline in ms since the epoch, same base as the injected clock; items may bring earlier ones. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

export interface CompletionDispatch extends DispatchBase {
  kind: 'completion';
  items: readonly CompletionItem[];
}

export interface EmbeddingDispatch extends DispatchBase {
  kind: 'embedding';
  items: readonly EmbeddingItem[];
}

export type DispatchRequest = CompletionDispatch | EmbeddingDispatch;

export type CompletionValue = UpstreamCompletion;

export interface EmbeddingValue {
  /** One vector per input of the item, in order. */
  vectors: number[][];
  /** This item's share of the batch's input tokens. */
  inputTokens: number;
}

/** One upstream attempt as the item's route reports it. */
export interface AttemptRecord {
  region: string;
  outcome: AttemptOutcome;
  httpStatus?: number;
  durationMs: number;
  /** What the router concluded ("cooling down 2000 ms (retry-after)", "breaker opened: ..."), or ''. */
  note: string;
}

export type ItemResult<T> =
  | { ok: true; value: T; region: string; attempts: number; reason: string; tried: AttemptRecord[] }
  | { ok: false; error: SwitchyardError; attempts: number; tried: AttemptRecord[] };

export interface DispatchOutcome<T> {
  /** One result per item, in item order. */
  results: ItemResult<T>[];
  /** Items that reached an upstream minus the upstream calls made for them (failover retries not counted). */
  upstreamCallsSaved: number;
}

/** Checks what concerns the whole batch; a problem here fails the call, not one item. */
export function validateDispatch(request: DispatchRequest): void {
  if (request.kind !== 'completion' && request.kind !== 'embedding') {
    throw new InvalidArgument('kind', 'must be "completion" or "embedding"');
  }
  if (typeof request.model !== 'string' || request.model.trim() === '') {
    throw new InvalidArgument('model', 'is required');
  }
  if (typeof request.userRegion !== 'string') throw new InvalidArgument('user_region', 'must be a string');
  if (!Array.isArray(request.items) || request.items.length === 0) {
    throw new InvalidArgument('items', 'at least one item is required');
  }
  if (request.deadlineMs !== undefined && !Number.isFinite(request.deadlineMs)) {
    throw new InvalidArgument('deadline', 'must be a finite time in ms since the epoch');
  }
  request.items.forEach((item: ItemContext, index) => {
    if (item.deadlineMs !== undefined && !Number.isFinite(item.deadlineMs)) {
      throw new InvalidArgument('items', `items[${index}].deadline_unix_ms must be a finite time in ms since the epoch`);
    }
  });
}

/** The earlier of the item's and the dispatch's deadlines: no attempt for this item starts after it. */
export function itemDeadline(item: ItemContext, dispatchDeadlineMs: number | undefined): number | undefined {
  if (item.deadlineMs === undefined) return dispatchDeadlineMs;
  if (dispatchDeadlineMs === undefined) return item.deadlineMs;
  return Math.min(item.deadlineMs, dispatchDeadlineMs);
}

/** Returns the item's messages with checked roles, or the InvalidArgument that fails this item alone. */
export function validateCompletionItem(item: CompletionItem): ChatMessage[] | InvalidArgument {
  if (!Array.isArray(item.messages) || item.messages.length === 0) {
    return new InvalidArgument('messages', 'at least one message is required');
  }
  const messages: ChatMessage[] = [];
  for (const [index, message] of item.messages.entries()) {
    if (!CHAT_ROLES.includes(message.role as ChatRole)) {
      return new InvalidArgument('messages', `messages[${index}].role must be one of ${CHAT_ROLES.join(', ')}`);
    }
    if (typeof message.content !== 'string') {
      return new InvalidArgument('messages', `messages[${index}].content must be a string`);
    }
    messages.push({ role: message.role as ChatRole, content: message.content });
  }
  if (!Number.isFinite(item.temperature) || item.temperature < 0 || item.temperature > 2) {
    return new InvalidArgument('temperature', 'must be between 0 and 2');
  }
  if (!Number.isInteger(item.maxTokens) || item.maxTokens < 0) {
    return new InvalidArgument('max_tokens', 'must be a whole number >= 0');
  }
  return messages;
}

export function validateEmbeddingItem(item: EmbeddingItem): InvalidArgument | undefined {
  if (!Array.isArray(item.inputs) || item.inputs.length === 0) {
    return new InvalidArgument('inputs', 'at least one input is required');
  }
  const empty = item.inputs.findIndex((input) => typeof input !== 'string' || input === '');
  if (empty >= 0) return new InvalidArgument('inputs', `inputs[${empty}] must be a non-empty string`);
  return undefined;
}
