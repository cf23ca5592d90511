/**
 * What an upstream said about its quota in OpenAI's `x-ratelimit-*` headers, already parsed to numbers.
 * Every field is optional: compatible servers send some, all or none of them.
 */
export interface RateLimitReport {
  limitRequests?: number;
  limitTokens?: number;
  remainingRequests?: number;
  remainingTokens?: number;
  /** Time until the request quota is back to full (`x-ratelimit-reset-requests`). */
  resetRequestsMs?: number;
  /** Time until the token quota is back to full (`x-ratelimit-reset-tokens`). */
  resetTokensMs?: number;
}

/** A share of an upstream quota in use, as reported at `at`, draining to 0 over `resetMs`. */
export interface ReportedShare {
  share: number;
  at: number;
  resetMs: number;
}

/**
 * The used share of one quota dimension, or undefined when the report lacks what is needed. OpenAI refills
 * its quotas continuously until the reset time, so the share is taken to drain linearly to 0 by then.
 */
export function reportedShare(limit: number | undefined, remaining: number | undefined, resetMs: number | undefined, at: number): ReportedShare | undefined {
  if (limit === undefined || remaining === undefined || resetMs === undefined || !(limit > 0)) return undefined;
  return { share: Math.min(1, Math.max(0, (limit - remaining) / limit)), at, resetMs: Math.max(0, resetMs) };
}

export function shareAt(report: ReportedShare | undefined, now: number): number {
  if (!report || report.resetMs <= 0) return 0;
  return report.share * Math.max(0, 1 - (now - report.at) / report.resetMs);
}

/**
 * How long to stay away after a 429 that carried no retry-after: until the exhausted quota resets, the
 * later of the two when both are out, undefined when the headers do not say.
 */
export function cooldownFromReport(report: RateLimitReport | undefined): number | undefined {
  if (!report) return undefined;
  const waits: number[] = [];
  if (report.remainingRequests === 0 && report.resetRequestsMs !== undefined) waits.push(report.resetRequestsMs);
  if (report.remainingTokens === 0 && report.resetTokensMs !== undefined) waits.push(report.resetTokensMs);
  return waits.length > 0 ? Math.max(...waits) : undefined;
}
