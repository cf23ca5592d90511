import { seededRandom } from '@switchyard/service-kit/seeded-random';
import { countTextTokens } from '@switchyard/tokens';
import { stableHash } from './stable-hash';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface AnswerRequest {
  region: string;
  model: string;
  messages: readonly ChatMessage[];
  /** Upper bound on completion tokens (max_tokens / max_completion_tokens). */
  maxTokens?: number;
}

export type FinishReason = 'stop' | 'length';

export interface SimulatedAnswer {
  content: string;
  finishReason: FinishReason;
  completionTokens: number;
}

export const MIN_ANSWER_WORDS = 8;
export const MAX_ANSWER_WORDS = 64;

// Filler text on purpose: the simulator must never look like it understood the prompt.
const VOCABULARY = [
  'lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed', 'do', 'eiusmod',
  'tempor', 'incididunt', 'ut', 'labore', 'et', 'dolore', 'magna', 'aliqua', 'enim', 'ad', 'minim', 'veniam',
  'quis', 'nostrud', 'exercitation', 'ullamco', 'laboris', 'nisi', 'aliquip', 'ex', 'ea', 'commodo', 'consequat',
];

/** A number that identifies (model, messages); equal prompts give equal answers in every region. */
export function promptFingerprint(model: string, messages: readonly ChatMessage[]): number {
  return stableHash(JSON.stringify([model, messages.map((m) => [m.role, m.content])]));
}

/** The deterministic answer for a prompt: a labelled filler text whose length comes from the prompt's hash. */
export function simulateAnswer(request: AnswerRequest): SimulatedAnswer {
  const fingerprint = promptFingerprint(request.model, request.messages);
  const random = seededRandom(fingerprint);
  const wordCount = MIN_ANSWER_WORDS + (fingerprint % (MAX_ANSWER_WORDS - MIN_ANSWER_WORDS + 1));
  const words: string[] = [];
  for (let i = 0; i < wordCount; i++) words.push(VOCABULARY[Math.floor(random() * VOCABULARY.length)]);
  const full = `Simulated answer from ${request.region} (${request.model}): ${words.join(' ')}.`;

  const fullTokens = countTextTokens(full);
  if (request.maxTokens === undefined || fullTokens <= request.maxTokens) {
    return { content: full, finishReason: 'stop', completionTokens: fullTokens };
  }
  const content = truncateToTokens(full, request.maxTokens);
  return { content, finishReason: 'length', completionTokens: countTextTokens(content) };
}

/**
 * The longest prefix of `text` within `maxTokens`. Like a real model hitting its limit, the cut may fall
 * inside a word; a dangling space is dropped.
 */
export function truncateToTokens(text: string, maxTokens: number): string {
  if (countTextTokens(text) <= maxTokens) return text;
  const length = largestFitting(text.length, (k) => countTextTokens(text.slice(0, k)) <= maxTokens);
  return text.slice(0, length).trimEnd();
}

/** Binary search for the largest k in [0, upper] with fits(k); fits(0) is assumed true. */
function largestFitting(upper: number, fits: (k: number) => boolean): number {
  let lo = 0;
  let hi = upper;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
