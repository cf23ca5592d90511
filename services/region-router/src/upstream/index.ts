export { OpenAIUpstream, type OpenAIUpstreamOptions } from './openai-upstream';
export { mapOpenAIError, redactSecrets } from './map-openai-error';
export { parseDuration, parseRateLimitHeaders } from './rate-limit-headers';
export { parseRetryAfter } from './retry-after';
