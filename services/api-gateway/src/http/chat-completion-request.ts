import { InvalidArgument } from '@switchyard/service-kit/errors';
import type { ChatMessageInput, CompleteInput } from '../validation/validate-request';
import { checkOtherParams, optionalBoolean, optionalInteger, optionalNumber, requireObject, requiredString } from './openai-params';
import type { SwitchyardRequestHeaders } from './switchyard-headers';

/** `model: "auto"` lets Switchyard's model router choose, as an empty model does over gRPC. */
export const AUTO_MODEL = 'auto';

/** OpenAI's default when a request sets no temperature. */
const DEFAULT_TEMPERATURE = 1;

export interface ChatCompletionRequest {
  input: CompleteInput;
  stream: boolean;
  includeUsage: boolean;
}

const HANDLED = new Set(['model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature']);

/**
 * Reads a POST /v1/chat/completions body into the gateway's completion input. Field names in errors are OpenAI's
 * (`messages[2].content[0].type`), so an SDK user can find them in their own code.
 */
export function parseChatCompletionRequest(raw: unknown, headers: SwitchyardRequestHeaders): ChatCompletionRequest {
  const body = requireObject(raw, 'body');
  const model = requiredString(body, 'model');
  if (!Array.isArray(body.messages)) throw new InvalidArgument('messages', body.messages === undefined ? 'is required' : 'must be an array of messages');
  const messages = body.messages.map((message, i) => parseMessage(message, i));
  const stream = optionalBoolean(body, 'stream') ?? false;
  let includeUsage = false;
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (!stream) throw new InvalidArgument('stream_options', 'is only allowed when stream is true');
    const options = requireObject(body.stream_options, 'stream_options');
    includeUsage = optionalBoolean(options, 'include_usage') ?? false;
  }
  const maxTokens = optionalInteger(body, 'max_completion_tokens', 1) ?? optionalInteger(body, 'max_tokens', 1) ?? 0;
  const temperature = optionalNumber(body, 'temperature') ?? DEFAULT_TEMPERATURE;
  checkOtherParams(body, HANDLED);
  return {
    stream,
    includeUsage,
    input: {
      messages,
      model: model === AUTO_MODEL ? '' : model,
      priority: headers.priority,
      userRegion: headers.userRegion,
      requireReasoning: false,
      maxLatencyMs: 0,
      temperature,
      maxTokens,
      cacheSimilarityThreshold: 0,
      cacheBypass: headers.cacheBypass,
      cacheNoStore: headers.cacheNoStore,
    },
  };
}

function parseMessage(raw: unknown, index: number): ChatMessageInput {
  const field = `messages[${index}]`;
  const message = requireObject(raw, field);
  if (typeof message.role !== 'string') throw new InvalidArgument(`${field}.role`, 'must be a string');
  for (const key of ['tool_calls', 'function_call', 'audio']) {
    if (message[key] !== undefined && message[key] !== null) {
      throw new InvalidArgument(`${field}.${key}`, 'is not supported: Switchyard does not forward tool calls or audio');
    }
  }
  return { role: message.role, content: contentOf(message.content, `${field}.content`) };
}

/** A string, null, or text parts (joined by newlines); image, audio and file parts are refused. */
function contentOf(content: unknown, field: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw new InvalidArgument(field, 'must be a string or an array of content parts');
  return content
    .map((raw, j) => {
      const part = requireObject(raw, `${field}[${j}]`);
      if (part.type !== 'text') throw new InvalidArgument(`${field}[${j}].type`, 'only "text" parts are supported');
      if (typeof part.text !== 'string') throw new InvalidArgument(`${field}[${j}].text`, 'must be a string');
      return part.text;
    })
    .join('\n');
}
