import type { CacheKeyInput } from './types';

/** What happens to requests with temperature > 0, whose answers are meant to vary. */
export type SampledPolicy = 'bypass' | 'exact' | 'semantic';

export interface MatchingPolicy {
  /** Requests with more messages than this (system prompts included) are matched exactly only. */
  semanticMaxMessages: number;
  /** A last user message longer than this (characters) is matched exactly only. */
  semanticMaxChars: number;
  /** `bypass`: never cached; `exact`: only byte-identical repeats; `semantic`: like temperature 0. */
  sampled: SampledPolicy;
}

export const DEFAULT_MATCHING_POLICY: MatchingPolicy = {
  semanticMaxMessages: 2,
  semanticMaxChars: 2_000,
  sampled: 'bypass',
};

export type ExactOnlyReason = 'last-message-not-user' | 'conversation-too-long' | 'question-too-long' | 'sampled';

export type Tiers =
  | { kind: 'bypass' }
  | { kind: 'exact-only'; reason: ExactOnlyReason }
  | { kind: 'exact-and-semantic' };

/**
 * Which tiers may answer a request. The semantic tier only compares a single fresh question: a long
 * conversation's last message ("and the second one?") means little without its context, and a long
 * prompt that differs in one sentence still looks similar as a whole.
 */
export function tiersFor(input: CacheKeyInput, policy: MatchingPolicy): Tiers {
  const sampled = input.temperature > 0;
  if (sampled && policy.sampled === 'bypass') return { kind: 'bypass' };
  const last = input.messages[input.messages.length - 1];
  if (last === undefined || last.role !== 'user') return { kind: 'exact-only', reason: 'last-message-not-user' };
  if (sampled && policy.sampled === 'exact') return { kind: 'exact-only', reason: 'sampled' };
  if (input.messages.length > policy.semanticMaxMessages) return { kind: 'exact-only', reason: 'conversation-too-long' };
  if (last.content.length > policy.semanticMaxChars) return { kind: 'exact-only', reason: 'question-too-long' };
  return { kind: 'exact-and-semantic' };
}
