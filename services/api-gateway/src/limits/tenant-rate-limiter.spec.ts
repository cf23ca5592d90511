import { MemoryRateLimitStore } from '../store/memory-rate-limit-store';
import { estimateTokens } from './estimate-tokens';
import { tenantLimitLookup } from './limit-config';
import { TenantRateLimited } from './tenant-rate-limited';
import { TenantRateLimiter } from './tenant-rate-limiter';

function limiter(now: { t: number }) {
  return new TenantRateLimiter({
    limitFor: tenantLimitLookup({ small: { rpm: 2, tpm: 100 }, tokensOnly: { tpm: 50 } }, { rpm: 0, tpm: 0 }),
    store: new MemoryRateLimitStore(),
    clock: () => now.t,
  });
}

async function refusal(run: Promise<unknown>): Promise<TenantRateLimited> {
  try {
    await run;
  } catch (err) {
    if (err instanceof TenantRateLimited) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('TenantRateLimiter', () => {
  it('lets tenants without limits through without touching the store', async () => {
    const admission = await limiter({ t: 0 }).admit('unlimited', 1_000_000);
    expect(admission.quota).toEqual({});
  });

  it('refuses the request over the RPM limit with a retry hint and the dimension', async () => {
    const clock = { t: 0 };
    const limits = limiter(clock);
    await limits.admit('small', 10);
    expect((await limits.admit('small', 10)).quota).toEqual({ requests: { limit: 2, remaining: 0 }, tokens: { limit: 100, remaining: 80 } });
    const refused = await refusal(limits.admit('small', 10));
    expect(refused).toMatchObject({ dimension: 'requests', limit: 2, retryAfterMs: 30_000 });
    expect(refused.message).toMatch(/tenant "small" on requests per minute \(RPM\): limit 2/);
    clock.t = 30_000;
    await limits.admit('small', 10);
  });

  it('refuses on tokens once the settled usage has used up the minute', async () => {
    const limits = limiter({ t: 0 });
    const admission = await limits.admit('tokensOnly', 10);
    await admission.settle(50);
    const refused = await refusal(limits.admit('tokensOnly', 1));
    expect(refused.dimension).toBe('tokens');
    expect(refused.retryAfterMs).toBeGreaterThan(0);
  });

  it('refuses a request larger than the whole TPM limit without a retry hint', async () => {
    const refused = await refusal(limiter({ t: 0 }).admit('tokensOnly', 51));
    expect(refused.retryAfterMs).toBeUndefined();
    expect(refused.message).toMatch(/send a smaller request/);
  });

  it('estimates about four bytes per token plus the chat framing', () => {
    expect(estimateTokens(['x'.repeat(400)])).toBe(107);
    expect(estimateTokens([])).toBe(3);
  });
});
