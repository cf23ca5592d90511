import { InvalidArgument } from '@switchyard/service-kit/errors';
import type { CacheKeyInput, Usage } from './types';

/** Rejects a request that cannot be keyed, naming the offending field as the proto spells it. */
export function validateKeyInput(input: CacheKeyInput): void {
  if (typeof input.tenant !== 'string' || input.tenant.trim() === '') {
    throw new InvalidArgument('tenant', 'must not be empty');
  }
  if (typeof input.model !== 'string' || input.model.trim() === '') {
    throw new InvalidArgument('model', 'must not be empty');
  }
  if (!Array.isArray(input.messages) || input.messages.length === 0) {
    throw new InvalidArgument('messages', 'must contain at least one message');
  }
  input.messages.forEach((message, i) => {
    if (typeof message?.role !== 'string' || message.role.trim() === '') {
      throw new InvalidArgument(`messages[${i}].role`, 'must not be empty');
    }
    if (typeof message.content !== 'string') {
      throw new InvalidArgument(`messages[${i}].content`, 'must be a string');
    }
  });
  if (!Number.isFinite(input.temperature) || input.temperature < 0) {
    throw new InvalidArgument('temperature', `must be a number >= 0, got ${input.temperature}`);
  }
  if (!Number.isInteger(input.maxTokens) || input.maxTokens < 0) {
    throw new InvalidArgument('max_tokens', `must be an integer >= 0, got ${input.maxTokens}`);
  }
}

export function validateAnswer(content: string, usage: Usage): void {
  // An empty completion is almost always a failure upstream (filtered, cut off); serving it again would repeat it.
  if (typeof content !== 'string' || content.length === 0) {
    throw new InvalidArgument('content', 'must not be empty');
  }
  const counts = [
    ['usage.input_tokens', usage?.inputTokens],
    ['usage.output_tokens', usage?.outputTokens],
  ] as const;
  for (const [field, value] of counts) {
    if (!Number.isInteger(value) || (value as number) < 0) {
      throw new InvalidArgument(field, `must be an integer >= 0, got ${value}`);
    }
  }
}

/** `ttl_seconds`: 0 or undefined means the default; otherwise a positive finite number. */
export function resolveTtlSeconds(requested: number | undefined, defaultTtlSeconds: number): number {
  if (requested === undefined || requested === 0) return defaultTtlSeconds;
  if (!Number.isFinite(requested) || requested < 0) {
    throw new InvalidArgument('ttl_seconds', `must be a positive number of seconds, got ${requested}`);
  }
  return requested;
}

/** `similarity_threshold`: 0 or undefined means the default; otherwise in (0, 1]. */
export function resolveSimilarityThreshold(requested: number | undefined, defaultThreshold: number): number {
  if (requested === undefined || requested === 0) return defaultThreshold;
  if (!Number.isFinite(requested) || requested < 0 || requested > 1) {
    throw new InvalidArgument('similarity_threshold', `must be in (0, 1], got ${requested}`);
  }
  return requested;
}
