import { countTokens } from 'gpt-tokenizer';

export interface TokenCountableMessage {
  role: string;
  content: string;
}

// OpenAI's chat format adds a few tokens per message (role, separators) and 3 to prime the reply.
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY = 3;

/** Tokens of a plain text in the o200k encoding used by current OpenAI models. */
export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : countTokens(text);
}

/** Prompt tokens of a chat request, counted the way OpenAI bills them (close enough for capacity planning). */
export function countChatTokens(messages: readonly TokenCountableMessage[]): number {
  let total = TOKENS_PER_REPLY;
  for (const m of messages) total += TOKENS_PER_MESSAGE + countTextTokens(m.role) + countTextTokens(m.content);
  return total;
}
