export { OpenAIUpstream, type OpenAIUpstreamOptions } from './openai-upstream';
export { mapOpenAIError, redactSecrets } from './map-openai-error';
export { parseRetryAfter } from './retry-after';
