import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { UpstreamError } from '../routing';
import { parseRateLimitHeaders } from './rate-limit-headers';
import { parseRetryAfter } from './retry-after';

/**
 * Turns whatever the openai SDK threw into the domain's UpstreamError. Messages pass through `redact`,
 * and for 401/403 the upstream text is dropped entirely because providers echo part of the key there.
 */
export function mapOpenAIError(
  error: unknown,
  context: { secret?: string; timeoutMs: number; timedOut?: boolean },
): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const redact = (text: string) => redactSecrets(text, context.secret);

  const aborted = error instanceof APIUserAbortError || error instanceof APIConnectionError;
  if (error instanceof APIConnectionTimeoutError || (context.timedOut && aborted)) {
    return new UpstreamError(`upstream did not answer within ${context.timeoutMs} ms`, { timedOut: true });
  }
  if (error instanceof APIUserAbortError) return new UpstreamError('upstream call aborted');
  if (error instanceof APIConnectionError) return new UpstreamError(redact(`cannot reach upstream: ${describeCause(error.cause)}`));
  if (error instanceof APIError) {
    const status = error.status;
    if (status === undefined) return new UpstreamError(redact(error.message));
    if (status === 401 || status === 403) {
      return new UpstreamError(`upstream rejected the credentials (HTTP ${status})`, { status });
    }
    return new UpstreamError(redact(error.message), {
      status,
      retryAfterMs: parseRetryAfter(error.headers),
      rateLimit: parseRateLimitHeaders(error.headers),
    });
  }
  return new UpstreamError(redact(error instanceof Error ? error.message : String(error)));
}

/** Removes the configured key and anything shaped like an OpenAI key from a message. */
export function redactSecrets(text: string, secret: string | undefined): string {
  let out = text;
  if (secret) out = out.split(secret).join('[redacted]');
  return out.replace(/\bsk-[A-Za-z0-9_*.-]{4,}/g, '[redacted]');
}

/**
 * undici reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND...) one cause deeper.
 * Duck-typed, because fetch's errors may come from another realm where `instanceof Error` is false.
 */
function describeCause(cause: unknown): string {
  const parts: string[] = [];
  let current = cause as { message?: unknown; code?: unknown; cause?: unknown } | undefined;
  while (current && typeof current === 'object' && typeof current.message === 'string' && parts.length < 3) {
    const { message, code } = current;
    parts.push(typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message);
    current = current.cause as typeof current;
  }
  return parts.length > 0 ? parts.join(': ') : 'connection failed';
}
