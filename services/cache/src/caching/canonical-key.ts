import { createHash } from 'node:crypto';
import { questionText } from './question-text';
import type { CacheKeyInput, ChatMessage } from './types';

// Bump when the canonical form changes, so old entries in a shared store can never match new requests.
const KEY_VERSION = 'v1';

function sha256Hex(canonical: unknown): string {
  // JSON of arrays of strings and numbers is unambiguous: quoting and escaping keep every field boundary.
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

function messageTuples(messages: readonly ChatMessage[]): Array<[string, string]> {
  return messages.map((message) => [message.role, message.content]);
}

/** The exact-tier key: a hash of tenant, model, every message and every answer-changing parameter, byte for byte. */
export function exactKey(input: CacheKeyInput): string {
  return sha256Hex([
    KEY_VERSION,
    'exact',
    input.tenant,
    input.model,
    messageTuples(input.messages),
    input.temperature,
    input.maxTokens,
  ]);
}

export interface SemanticQuery {
  /** Hash of tenant, model, context (every message but the last), parameters and the embedder. */
  scope: string;
  /** The last user message without greeting and politeness framing, the only text compared semantically. */
  text: string;
}

/**
 * Splits a request into the part that must match exactly (scope) and the part matched by meaning
 * (the last user message). Undefined when the last message is not from the user: then only the
 * exact tier applies, because a continuation of an assistant or tool turn has no question to compare.
 */
export function semanticQuery(input: CacheKeyInput, embedderName: string): SemanticQuery | undefined {
  const last = input.messages[input.messages.length - 1];
  if (last === undefined || last.role !== 'user') return undefined;
  const scope = sha256Hex([
    KEY_VERSION,
    'scope',
    embedderName,
    input.tenant,
    input.model,
    messageTuples(input.messages.slice(0, -1)),
    input.temperature,
    input.maxTokens,
  ]);
  return { scope, text: questionText(last.content) };
}
