import { ResourceExhausted } from '@switchyard/service-kit/errors';

export type LimitDimension = 'requests' | 'tokens';

/** A tenant is over its fleet-wide requests- or tokens-per-minute limit (RESOURCE_EXHAUSTED / HTTP 429). */
export class TenantRateLimited extends ResourceExhausted {
  constructor(
    readonly dimension: LimitDimension,
    readonly limit: number,
    message: string,
    retryAfterMs: number | undefined,
  ) {
    super(message, retryAfterMs);
  }
}
