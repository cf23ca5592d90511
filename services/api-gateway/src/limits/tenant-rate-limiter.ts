import type { TenantLimit } from './limit-config';
import type { BucketCharge, RateLimitStore } from './rate-limit-store';
import { TenantRateLimited, type LimitDimension } from './tenant-rate-limited';

const MINUTE_MS = 60_000;

export interface QuotaSnapshot {
  requests?: { limit: number; remaining: number };
  tokens?: { limit: number; remaining: number };
}

/** A request let in; `settle` replaces its token estimate with what it really used. */
export interface Admission {
  readonly quota: QuotaSnapshot;
  /** Never rejects: a failure to correct the count is the store's to report, never the request's. */
  settle(usedTokens: number): Promise<void>;
}

export interface TenantRateLimiterOptions {
  limitFor: (tenant: string) => TenantLimit;
  store: RateLimitStore;
  clock: () => number;
}

const UNLIMITED: Admission = { quota: {}, settle: () => Promise.resolve() };

/**
 * Requests and tokens per minute per tenant. A request is admitted only if both buckets allow it, and then both
 * are charged in the same atomic step: RPM one request, TPM the request's estimated tokens. Once the answer is
 * known `settle` charges the difference to the real usage, so a tenant that used more than estimated waits
 * longer for its next request ("debt") and one that used less gets the difference back.
 */
export class TenantRateLimiter {
  constructor(private readonly options: TenantRateLimiterOptions) {}

  async admit(tenant: string, estimatedTokens: number): Promise<Admission> {
    const limit = this.options.limitFor(tenant);
    const charges: Array<BucketCharge & { dimension: LimitDimension }> = [];
    // The braces keep a tenant's buckets in one Redis Cluster slot, so the Lua script may touch both.
    if (limit.rpm > 0) charges.push({ dimension: 'requests', key: `{${tenant}}:rpm`, limit: limit.rpm, periodMs: MINUTE_MS, cost: 1 });
    if (limit.tpm > 0) {
      if (estimatedTokens > limit.tpm) {
        throw new TenantRateLimited(
          'tokens',
          limit.tpm,
          `this request needs about ${estimatedTokens} tokens, more than tenant "${tenant}" may use in a minute (${limit.tpm} TPM); send a smaller request`,
          undefined,
        );
      }
      charges.push({ dimension: 'tokens', key: `{${tenant}}:tpm`, limit: limit.tpm, periodMs: MINUTE_MS, cost: estimatedTokens });
    }
    if (charges.length === 0) return UNLIMITED;

    const outcomes = await this.options.store.take(charges, this.options.clock());
    const quota: QuotaSnapshot = {};
    charges.forEach((charge, i) => (quota[charge.dimension] = { limit: charge.limit, remaining: outcomes[i]!.remaining }));
    const refused = charges
      .map((charge, i) => ({ charge, outcome: outcomes[i]! }))
      .filter(({ outcome }) => !outcome.allowed)
      .sort((a, b) => b.outcome.retryAfterMs - a.outcome.retryAfterMs)[0];
    if (refused) {
      const { charge, outcome } = refused;
      const unit = charge.dimension === 'requests' ? 'requests per minute (RPM)' : 'tokens per minute (TPM)';
      throw new TenantRateLimited(
        charge.dimension,
        charge.limit,
        `rate limit reached for tenant "${tenant}" on ${unit}: limit ${charge.limit}, across all gateway replicas; try again in ${(outcome.retryAfterMs / 1000).toFixed(1)} s`,
        outcome.retryAfterMs,
      );
    }
    const tokens = charges.find((c) => c.dimension === 'tokens');
    return {
      quota,
      settle: (usedTokens) => {
        if (!tokens || usedTokens === estimatedTokens) return Promise.resolve();
        return this.options.store.adjust({ ...tokens, cost: usedTokens - estimatedTokens }, this.options.clock()).catch(() => undefined);
      },
    };
  }
}
