import type { RateLimitReport } from '../routing';

/**
 * OpenAI's `x-ratelimit-*` headers as numbers; undefined when none is present. Azure sends the remaining
 * counts without the limits or resets; compatible servers may send nothing, and a malformed value is ignored.
 */
export function parseRateLimitHeaders(headers: Headers | undefined): RateLimitReport | undefined {
  if (!headers) return undefined;
  const report: RateLimitReport = {
    limitRequests: count(headers.get('x-ratelimit-limit-requests')),
    limitTokens: count(headers.get('x-ratelimit-limit-tokens')),
    remainingRequests: count(headers.get('x-ratelimit-remaining-requests')),
    remainingTokens: count(headers.get('x-ratelimit-remaining-tokens')),
    resetRequestsMs: parseDuration(headers.get('x-ratelimit-reset-requests')),
    resetTokensMs: parseDuration(headers.get('x-ratelimit-reset-tokens')),
  };
  const present = Object.fromEntries(Object.entries(report).filter(([, v]) => v !== undefined)) as RateLimitReport;
  return Object.keys(present).length > 0 ? present : undefined;
}

function count(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** OpenAI's reset durations: `20ms`, `1.5s`, `6m0s`, `1h2m3s`; a bare number is seconds. */
export function parseDuration(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  if (!/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, , unit] of text.matchAll(/(\d+(\.\d+)?)(ms|h|m|s)/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return Math.ceil(total);
}
