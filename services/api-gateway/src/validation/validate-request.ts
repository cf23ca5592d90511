import { InvalidArgument } from '@switchyard/service-kit/errors';

/** Priority numbers as the queue and batcher use them: 1 CRITICAL (most urgent) .. 5 BULK. */
export const PRIORITY_NORMAL = 3;

export interface ChatMessageInput {
  role: string;
  content: string;
}

export interface CompleteInput {
  messages: ChatMessageInput[];
  priority: number;
  model: string;
  userRegion: string;
  requireReasoning: boolean;
  maxLatencyMs: number;
  temperature: number;
  maxTokens: number;
  cacheSimilarityThreshold: number;
  cacheBypass: boolean;
}

export interface EmbedInput {
  inputs: string[];
  model: string;
  priority: number;
  userRegion: string;
}

export interface RequestLimits {
  maxMessages: number;
  maxEmbedInputs: number;
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool', 'developer']);
const MAX_OUTPUT_TOKENS = 131_072;
const REGION_PATTERN = /^[a-z0-9-]{0,64}$/;

/** Proto's PRIORITY_UNSPECIFIED (0) means NORMAL; anything outside the enum is the caller's error. */
export function priorityOf(value: number): number {
  if (value === 0) return PRIORITY_NORMAL;
  if (!Number.isInteger(value) || value < 1 || value > 5) {
    throw new InvalidArgument('priority', `unknown priority ${value}; use PRIORITY_CRITICAL, _HIGH, _NORMAL, _LOW or _BULK`);
  }
  return value;
}

export function validateComplete(input: CompleteInput, limits: RequestLimits): CompleteInput {
  if (input.messages.length === 0) throw new InvalidArgument('messages', 'at least one message is required');
  if (input.messages.length > limits.maxMessages) {
    throw new InvalidArgument('messages', `${input.messages.length} messages exceed the limit of ${limits.maxMessages}`);
  }
  input.messages.forEach((m, i) => {
    if (!ROLES.has(m.role)) throw new InvalidArgument(`messages[${i}].role`, `unknown role "${m.role}"; use system, user, assistant, tool or developer`);
  });
  if (!input.messages.some((m) => m.role === 'user' && m.content.trim() !== '')) {
    throw new InvalidArgument('messages', 'at least one user message with content is required');
  }
  if (!Number.isFinite(input.temperature) || input.temperature < 0 || input.temperature > 2) {
    throw new InvalidArgument('temperature', `must be between 0 and 2, got ${input.temperature}`);
  }
  if (input.maxTokens > MAX_OUTPUT_TOKENS) throw new InvalidArgument('max_tokens', `must be at most ${MAX_OUTPUT_TOKENS}`);
  const threshold = input.cacheSimilarityThreshold;
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    throw new InvalidArgument('cache_similarity_threshold', `must be in (0, 1] or 0 for the default, got ${threshold}`);
  }
  validateRegion(input.userRegion);
  return { ...input, priority: priorityOf(input.priority) };
}

export function validateEmbed(input: EmbedInput, limits: RequestLimits): EmbedInput {
  if (input.inputs.length === 0) throw new InvalidArgument('inputs', 'at least one input is required');
  if (input.inputs.length > limits.maxEmbedInputs) {
    throw new InvalidArgument('inputs', `${input.inputs.length} inputs exceed the limit of ${limits.maxEmbedInputs}`);
  }
  input.inputs.forEach((text, i) => {
    if (text.trim() === '') throw new InvalidArgument(`inputs[${i}]`, 'must not be empty');
  });
  validateRegion(input.userRegion);
  return { ...input, priority: priorityOf(input.priority) };
}

function validateRegion(region: string): void {
  if (!REGION_PATTERN.test(region)) throw new InvalidArgument('user_region', 'must be a region name such as "eastus"');
}
