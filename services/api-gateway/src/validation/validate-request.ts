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
  /** '' lets the model router choose. */
  model: string;
  userRegion: string;
  requireReasoning: boolean;
  maxLatencyMs: number;
  temperature: number;
  maxTokens: number;
  cacheSimilarityThreshold: number;
  /** Skip the lookup; the answer is still stored. */
  cacheBypass: boolean;
  /** Neither look up nor store. */
  cacheNoStore: boolean;
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
  /** UTF-8 bytes of one message's content or one embedding input. */
  maxMessageBytes: number;
  /** UTF-8 bytes of all contents (or inputs) of one request. */
  maxRequestBytes: number;
  maxOutputTokens: number;
}

/** Roles the upstreams accept without tool definitions (Switchyard does not forward tool calls). */
const ROLES = new Set(['system', 'developer', 'user', 'assistant']);
const REGION_PATTERN = /^[a-z0-9-]{0,64}$/;
const MODEL_PATTERN = /^[A-Za-z0-9._:/-]{0,128}$/;
const MAX_LATENCY_MS = 3_600_000;

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
  let totalBytes = 0;
  input.messages.forEach((m, i) => {
    if (!ROLES.has(m.role)) {
      throw new InvalidArgument(`messages[${i}].role`, `unsupported role "${clip(m.role)}"; use system, developer, user or assistant`);
    }
    const bytes = Buffer.byteLength(m.content, 'utf8');
    if (bytes > limits.maxMessageBytes) {
      throw new InvalidArgument(`messages[${i}].content`, `${bytes} bytes exceed the limit of ${limits.maxMessageBytes} bytes per message`);
    }
    totalBytes += bytes;
  });
  if (totalBytes > limits.maxRequestBytes) {
    throw new InvalidArgument('messages', `${totalBytes} bytes of content exceed the limit of ${limits.maxRequestBytes} bytes per request`);
  }
  if (!input.messages.some((m) => m.role === 'user' && m.content.trim() !== '')) {
    throw new InvalidArgument('messages', 'at least one user message with content is required');
  }
  if (!Number.isFinite(input.temperature) || input.temperature < 0 || input.temperature > 2) {
    throw new InvalidArgument('temperature', `must be between 0 and 2, got ${input.temperature}`);
  }
  if (!Number.isInteger(input.maxTokens) || input.maxTokens < 0 || input.maxTokens > limits.maxOutputTokens) {
    throw new InvalidArgument('max_tokens', `must be a whole number from 1 to ${limits.maxOutputTokens} (0 or unset leaves it to the model)`);
  }
  if (!Number.isInteger(input.maxLatencyMs) || input.maxLatencyMs < 0 || input.maxLatencyMs > MAX_LATENCY_MS) {
    throw new InvalidArgument('max_latency_ms', `must be a whole number of milliseconds up to ${MAX_LATENCY_MS}`);
  }
  const threshold = input.cacheSimilarityThreshold;
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    throw new InvalidArgument('cache_similarity_threshold', `must be in (0, 1] or 0 for the default, got ${threshold}`);
  }
  validateModel(input.model);
  validateRegion(input.userRegion);
  return { ...input, priority: priorityOf(input.priority), cacheBypass: input.cacheBypass || input.cacheNoStore };
}

export function validateEmbed(input: EmbedInput, limits: RequestLimits): EmbedInput {
  if (input.inputs.length === 0) throw new InvalidArgument('inputs', 'at least one input is required');
  if (input.inputs.length > limits.maxEmbedInputs) {
    throw new InvalidArgument('inputs', `${input.inputs.length} inputs exceed the limit of ${limits.maxEmbedInputs}`);
  }
  let totalBytes = 0;
  input.inputs.forEach((text, i) => {
    if (text.trim() === '') throw new InvalidArgument(`inputs[${i}]`, 'must not be empty');
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > limits.maxMessageBytes) throw new InvalidArgument(`inputs[${i}]`, `${bytes} bytes exceed the limit of ${limits.maxMessageBytes} bytes per input`);
    totalBytes += bytes;
  });
  if (totalBytes > limits.maxRequestBytes) {
    throw new InvalidArgument('inputs', `${totalBytes} bytes exceed the limit of ${limits.maxRequestBytes} bytes per request`);
  }
  validateModel(input.model);
  validateRegion(input.userRegion);
  return { ...input, priority: priorityOf(input.priority) };
}

function validateRegion(region: string): void {
  if (!REGION_PATTERN.test(region)) throw new InvalidArgument('user_region', 'must be a region name such as "eastus"');
}

function validateModel(model: string): void {
  if (!MODEL_PATTERN.test(model)) throw new InvalidArgument('model', 'must be a model name of at most 128 letters, digits and . _ : / -');
}

/** Caller text quoted back in an error is cut short: messages have a size limit too. */
function clip(text: string): string {
  return text.length > 32 ? `${text.slice(0, 32)}...` : text;
}
