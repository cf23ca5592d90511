import type { Decision } from '../simulator';
import { injectedFailure, sendError } from './openai-errors';
import { rateLimitHeaders, retryAfterHeaders } from './rate-limit-headers';
import type { RequestContext } from './request-context';

/** Answers a throttled or fault-injected request the way OpenAI does: error JSON plus rate-limit headers. */
export function sendRefusal(ctx: RequestContext, decision: Exclude<Decision<unknown>, { outcome: 'ok' | 'hang' }>): void {
  const headers = { ...ctx.responseHeaders, ...rateLimitHeaders(decision.rate) };
  if (decision.outcome === 'rate-limited') {
    ctx.log.outcome = 'rate-limited';
    ctx.log.limited_by = decision.limitedBy;
    sendError(
      ctx.res,
      {
        status: 429,
        error: { message: decision.message, type: 'rate_limit_exceeded', param: null, code: 'rate_limit_exceeded' },
      },
      { ...headers, ...retryAfterHeaders(decision.retryAfterMs) },
    );
    return;
  }
  ctx.log.outcome = 'injected-error';
  // An injected 429 or 503 says when to come back, as the real ones do.
  const retry = decision.status === 429 || decision.status === 503 ? retryAfterHeaders(1000) : {};
  sendError(ctx.res, injectedFailure(decision.status), { ...headers, ...retry });
}
