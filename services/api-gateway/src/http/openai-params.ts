import { InvalidArgument } from '@switchyard/service-kit/errors';

/**
 * OpenAI request parameters Switchyard does not act on. Advisory ones are accepted and ignored (they do not change
 * the answer); the others are accepted only at their default, because ignoring e.g. `top_p: 0.1` or `tools` would
 * silently answer a different question than the one asked. Anything else is refused as OpenAI refuses it.
 */
const ADVISORY = new Set(['user', 'store', 'metadata', 'service_tier', 'prompt_cache_key', 'safety_identifier', 'seed', 'parallel_tool_calls']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (v: unknown) => (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);

const DEFAULT_ONLY: Record<string, [accepts: (v: unknown) => boolean, what: string]> = {
  n: [(v) => v === 1, '1'],
  top_p: [(v) => v === 1, '1'],
  frequency_penalty: [(v) => v === 0, '0'],
  presence_penalty: [(v) => v === 0, '0'],
  logprobs: [(v) => v === false, 'false'],
  top_logprobs: [(v) => v === 0, '0'],
  logit_bias: [isEmpty, '{}'],
  stop: [(v) => v === '' || isEmpty(v), 'none'],
  tools: [isEmpty, 'none (Switchyard does not forward tool calls)'],
  functions: [isEmpty, 'none (Switchyard does not forward tool calls)'],
  tool_choice: [(v) => v === 'none' || v === 'auto', '"none"'],
  function_call: [(v) => v === 'none' || v === 'auto', '"none"'],
  response_format: [(v) => isObject(v) && v.type === 'text' && Object.keys(v).length === 1, '{"type":"text"}'],
  modalities: [(v) => Array.isArray(v) && v.length === 1 && v[0] === 'text', '["text"]'],
  reasoning_effort: [() => false, 'unset'],
  verbosity: [() => false, 'unset'],
  audio: [() => false, 'unset'],
  prediction: [() => false, 'unset'],
  web_search_options: [() => false, 'unset'],
};

/** Checks every key of `body` that is not one of `handled`; null counts as unset, as in OpenAI's API. */
export function checkOtherParams(body: Record<string, unknown>, handled: ReadonlySet<string>, extraDefaults: typeof DEFAULT_ONLY = {}): void {
  for (const [key, value] of Object.entries(body)) {
    if (handled.has(key) || ADVISORY.has(key) || value === null || value === undefined) continue;
    const rule = extraDefaults[key] ?? DEFAULT_ONLY[key];
    if (!rule) throw new InvalidArgument(clipKey(key), 'is not a recognized request argument');
    if (!rule[0](value)) throw new InvalidArgument(key, `is not supported by Switchyard; only ${rule[1]} is accepted`);
  }
}

export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (!isObject(value)) throw new InvalidArgument(field, 'must be a JSON object');
  return value;
}

export function optionalInteger(body: Record<string, unknown>, key: string, min: number): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new InvalidArgument(key, `must be a whole number of at least ${min}`);
  return value;
}

export function optionalNumber(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidArgument(key, 'must be a number');
  return value;
}

export function optionalBoolean(body: Record<string, unknown>, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new InvalidArgument(key, 'must be true or false');
  return value;
}

export function requiredString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (value === undefined || value === null) throw new InvalidArgument(key, 'is required');
  if (typeof value !== 'string' || value === '') throw new InvalidArgument(key, 'must be a non-empty string');
  return value;
}

/** A field name taken from the caller's JSON goes into the error message: keep it short. */
function clipKey(key: string): string {
  return key.length > 64 ? `${key.slice(0, 64)}...` : key;
}
