import { InvalidArgument } from '@switchyard/service-kit/errors';
import { z } from 'zod';
import { MAX_EMBEDDING_DIMENSIONS, type ChatMessage, type Faults } from '../simulator';

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

const chatMessage = z.looseObject({
  role: z.enum(ROLES),
  // Assistant messages that only carry tool calls have null or no content.
  content: z
    .union([z.string(), z.array(contentPart), z.null()], 'must be a string, an array of content parts or null')
    .optional(),
});

const chatBody = z.looseObject({
  model: z.string().min(1, 'is required').optional(),
  messages: z
    .array(chatMessage, { error: (issue) => requiredOr(issue.input, 'must be an array of messages') })
    .min(1, 'must contain at least one message'),
  max_tokens: z.int().min(1).nullish(),
  max_completion_tokens: z.int().min(1).nullish(),
  n: z.int().min(1).max(1, 'the simulator answers exactly one choice').nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
});

const embeddingBody = z.looseObject({
  model: z.string().min(1, 'is required').optional(),
  input: z.union(
    [z.string().min(1, 'must not be empty'), z.array(z.string().min(1, 'must not be empty')).min(1).max(2048)],
    {
      error: (issue) =>
        requiredOr(issue.input, 'must be a string or an array of strings (token arrays are not supported)'),
    },
  ),
  dimensions: z.int().min(1).max(MAX_EMBEDDING_DIMENSIONS).nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
});

const faultPatch = z.strictObject({
  errorRate: z.number().min(0).max(1).optional(),
  errorStatus: z.int().min(400).max(599).optional(),
  latencyMs: z.int().min(0).max(600_000).optional(),
  throttle: z.boolean().optional(),
  throttleRate: z.number().min(0).max(1).optional(),
  throttleRetryAfterMs: z.int().min(1).max(3_600_000).optional(),
  hangRate: z.number().min(0).max(1).optional(),
});

export interface ParsedChatRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
  stream: boolean;
  includeUsage: boolean;
}

export interface ParsedEmbeddingRequest {
  model: string;
  inputs: string[];
  dimensions?: number;
  encoding: 'float' | 'base64';
}

/** `deployment` (Azure paths) names the model; otherwise the body's `model` must. */
export function parseChatRequest(body: unknown, deployment?: string): ParsedChatRequest {
  const parsed = parse(chatBody, body);
  return {
    model: requireModel(parsed.model, deployment),
    messages: parsed.messages.map((m) => ({ role: m.role, content: flattenContent(m.content) })),
    maxTokens: parsed.max_completion_tokens ?? parsed.max_tokens ?? undefined,
    stream: parsed.stream === true,
    includeUsage: parsed.stream_options?.include_usage === true,
  };
}

export function parseEmbeddingRequest(body: unknown, deployment?: string): ParsedEmbeddingRequest {
  const parsed = parse(embeddingBody, body);
  return {
    model: requireModel(parsed.model, deployment),
    inputs: typeof parsed.input === 'string' ? [parsed.input] : parsed.input,
    dimensions: parsed.dimensions ?? undefined,
    encoding: parsed.encoding_format ?? 'float',
  };
}

export function parseFaultPatch(body: unknown): Partial<Faults> {
  return parse(faultPatch, body);
}

function requiredOr(input: unknown, message: string): string {
  return input === undefined ? 'is required' : message;
}

function requireModel(model: string | undefined, deployment: string | undefined): string {
  if (deployment !== undefined) return deployment;
  if (model === undefined) throw new InvalidArgument('model', 'is required');
  return model;
}

/** Text parts are joined; other parts (images, audio) carry no text for the simulator. */
function flattenContent(content: string | { type: string; text?: string }[] | null | undefined): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((part) => part.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('\n');
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new InvalidArgument(formatPath([...issue.path, issue.keys[0]!]), 'is not a known field');
  }
  throw new InvalidArgument(formatPath(issue.path), issue.message);
}

/** `messages[0].role`, the way a caller would write the field. */
function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'body';
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}
