import { InvalidArgument } from '@switchyard/service-kit/errors';
import type { EmbedInput } from '../validation/validate-request';
import { checkOtherParams, requireObject, requiredString } from './openai-params';
import type { SwitchyardRequestHeaders } from './switchyard-headers';

export interface EmbeddingRequest {
  input: EmbedInput;
  encoding: 'float' | 'base64';
}

const HANDLED = new Set(['model', 'input', 'encoding_format']);

/** Reads a POST /v1/embeddings body: text inputs only (token arrays are refused), float or base64 output. */
export function parseEmbeddingRequest(raw: unknown, headers: SwitchyardRequestHeaders): EmbeddingRequest {
  const body = requireObject(raw, 'body');
  const model = requiredString(body, 'model');
  const input = body.input;
  let inputs: string[];
  if (typeof input === 'string') inputs = [input];
  else if (Array.isArray(input) && input.every((item) => typeof item === 'string')) inputs = input as string[];
  else if (input === undefined || input === null) throw new InvalidArgument('input', 'is required');
  else throw new InvalidArgument('input', 'must be a string or an array of strings (token arrays are not supported)');
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') throw new InvalidArgument('encoding_format', 'must be "float" or "base64"');
  checkOtherParams(body, HANDLED, { dimensions: [() => false, "the model's own size (unset)"] });
  return { encoding: format, input: { inputs, model, priority: headers.priority, userRegion: headers.userRegion } };
}

/** The gateway validates `inputs` (its gRPC name); OpenAI callers know the field as `input`. */
export function asOpenAIField(err: unknown): unknown {
  if (err instanceof InvalidArgument && err.field.startsWith('inputs')) {
    return new InvalidArgument(`input${err.field.slice('inputs'.length)}`, err.message.slice(err.field.length + 2));
  }
  return err;
}
