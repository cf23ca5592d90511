import { InvalidArgument } from '@switchyard/service-kit/errors';
import type { CacheKeyInput, Usage } from './types';

// Tenants and models become part of store key names and metric labels: keep them short.
const MAX_NAME_LENGTH = 256;

/** A tenant name: non-empty, at most 256 characters. */
export function validateTenant(tenant: unknown, field: string): void {
  if (typeof tenant !== 'string' || tenant.trim() === '') throw new InvalidArgument(field, 'must not be empty');
  if (tenant.length > MAX_NAME_LENGTH) throw new InvalidArgument(field, `must be at most ${MAX_NAME_LENGTH} characters`);
}

/** An entry key as Lookup reports it: 64 lowercase hex digits. */
export function validateEntryKey(key: unknown): void {
  if (typeof key !== 'string' || !/^[0-9a-f]{64}$/.test(key)) {
    throw new InvalidArgument('entry_key', 'must be the 64 hex digits a Lookup reported');
  }
}

/**
 * Rejects a request that cannot be keyed, naming the offending field as the proto spells it
 * (under `prefix` when the input is nested, e.g. `scope_of.model`).
 */
export function validateKeyInput(input: CacheKeyInput, prefix = ''): void {
  const field = (name: string) => (prefix ? `${prefix}.${name}` : name);
  validateTenant(input?.tenant, field('tenant'));
  if (typeof input.model !== 'string' || input.model.trim() === '') {
    throw new InvalidArgument(field('model'), 'must not be empty');
  }
  if (input.model.length > MAX_NAME_LENGTH) throw new InvalidArgument(field('model'), `must be at most ${MAX_NAME_LENGTH} characters`);
  if (!Array.isArray(input.messages) || input.messages.length === 0) {
    throw new InvalidArgument(field('messages'), 'must contain at least one message');
  }
  input.messages.forEach((message, i) => {
    if (typeof message?.role !== 'string' || message.role.trim() === '') {
      throw new InvalidArgument(field(`messages[${i}].role`), 'must not be empty');
    }
    if (typeof message.content !== 'string') {
      throw new InvalidArgument(field(`messages[${i}].content`), 'must be a string');
    }
  });
  if (!Number.isFinite(input.temperature) || input.temperature < 0) {
    throw new InvalidArgument(field('temperature'), `must be a number >= 0, got ${input.temperature}`);
  }
  if (!Number.isInteger(input.maxTokens) || input.maxTokens < 0) {
    throw new InvalidArgument(field('max_tokens'), `must be an integer >= 0, got ${input.maxTokens}`);
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
