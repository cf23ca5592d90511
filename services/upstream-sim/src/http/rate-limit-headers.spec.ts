import { formatDuration, rateLimitHeaders, retryAfterHeaders } from './rate-limit-headers';

describe('retryAfterHeaders', () => {
  it('rounds seconds up so a client never retries early', () => {
    expect(retryAfterHeaders(1)).toEqual({ 'retry-after': '1', 'retry-after-ms': '1' });
    expect(retryAfterHeaders(1000)).toEqual({ 'retry-after': '1', 'retry-after-ms': '1000' });
    expect(retryAfterHeaders(1001)).toEqual({ 'retry-after': '2', 'retry-after-ms': '1001' });
    expect(retryAfterHeaders(59_000.2)).toEqual({ 'retry-after': '60', 'retry-after-ms': '59001' });
  });
});

describe('rateLimitHeaders', () => {
  it("reports limits, what remains and when the window resets, in OpenAI's names", () => {
    expect(
      rateLimitHeaders({ limitTokens: 100, limitRequests: 10, remainingTokens: 40, remainingRequests: 9, usedTokens: 60, usedRequests: 1, resetMs: 1500 }),
    ).toEqual({
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-limit-tokens': '100',
      'x-ratelimit-remaining-requests': '9',
      'x-ratelimit-remaining-tokens': '40',
      'x-ratelimit-reset-requests': '1.5s',
      'x-ratelimit-reset-tokens': '1.5s',
    });
  });
});

describe('formatDuration', () => {
  it('formats like OpenAI', () => {
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(20)).toBe('20ms');
    expect(formatDuration(6_500)).toBe('6.5s');
    expect(formatDuration(60_000)).toBe('1m0s');
    expect(formatDuration(61_250)).toBe('1m1.25s');
  });
});
