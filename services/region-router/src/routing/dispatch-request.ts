import { InvalidArgument, type SwitchyardError } from '@switchyard/service-kit/errors';
import { CHAT_ROLES, type ChatMessage, type ChatRole, type UpstreamCompletion } from './upstream-client';

export interface CompletionItem {
  messages: readonly { role: string; content: string }[];
  temperature: number;
  /** 0 leaves the limit to the upstream (the reservation then assumes a default). */
  maxTokens: number;
}

export interface EmbeddingItem {
  inputs: readonly string[];
}

interface DispatchBase {
  model: string;
  /** The caller's region; '' when unknown (then the least-loaded closest region wins). */
  userRegion: string;
  /** Absolute deadline in ms since the epoch, same base as the injected clock. */
  deadlineMs?: number;
  signal?: AbortSignal;
  /** If given, only these regions may serve the request (data residency). */
  allowedRegions?: readonly string[];
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

export type ItemResult<T> =
  | { ok: true; value: T; region: string; attempts: number; reason: string }
  | { ok: false; error: SwitchyardError; attempts: number };

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
