import type { RoutingOptions } from './route-request';

/** Words that, as in the seed, suggest a request needs more than a quick answer. */
export const COMPLEX_KEYWORDS = ['analyze', 'compare', 'design', 'optimize', 'debug'] as const;

/** Prompts longer than this many tokens count as long-context work. */
export const LONG_CONTEXT_TOKENS = 10_000;

export interface ComplexityInput {
  /** The text the user wrote (the router passes the user messages joined). */
  text: string;
  /** Tokens of the whole prompt, system and history included. */
  contextTokens: number;
}

/**
 * The seed's estimate, 0..1: the mean of a length factor (chars / 5000, capped at 1), a keyword factor
 * (distinct keywords found / 3, capped at 1; substring match, so "debugging" counts) and a context
 * factor (0.8 above LONG_CONTEXT_TOKENS, else 0.2).
 */
export function estimateComplexity({ text, contextTokens }: ComplexityInput): number {
  const lengthFactor = Math.min(text.length / 5000, 1);
  const lower = text.toLowerCase();
  const keywordCount = COMPLEX_KEYWORDS.filter((keyword) => lower.includes(keyword)).length;
  const keywordFactor = Math.min(keywordCount / 3, 1);
  const contextFactor = contextTokens > LONG_CONTEXT_TOKENS ? 0.8 : 0.2;
  return (lengthFactor + keywordFactor + contextFactor) / 3;
}

/** The tiers the complexity rule aims at, cheapest first. */
export const COMPLEXITY_TIERS = ['simple', 'standard', 'reasoning'] as const;
export type ComplexityTier = (typeof COMPLEXITY_TIERS)[number];

export function complexityTier(
  complexity: number,
  { simpleBelow, standardBelow }: Pick<RoutingOptions, 'simpleBelow' | 'standardBelow'>,
): ComplexityTier {
  if (complexity < simpleBelow) return 'simple';
  if (complexity < standardBelow) return 'standard';
  return 'reasoning';
}
