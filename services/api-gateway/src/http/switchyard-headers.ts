import type { IncomingHttpHeaders } from 'node:http';
import { gatewayV1 } from '@switchyard/contracts';
import { InvalidArgument } from '@switchyard/service-kit/errors';
import type { QuotaSnapshot } from '../limits';

/** Switchyard's own inputs, which have no place in OpenAI's request body. */
export interface SwitchyardRequestHeaders {
  priority: number;
  userRegion: string;
  cacheBypass: boolean;
  cacheNoStore: boolean;
  /** From x-switchyard-timeout-ms; undefined leaves the default deadline. */
  deadline?: Date;
}

const PRIORITIES: Record<string, number> = { critical: 1, high: 2, normal: 3, low: 4, bulk: 5 };
const REGION_PATTERN = /^[a-z0-9-]{1,64}$/;

export function readSwitchyardHeaders(headers: IncomingHttpHeaders, maxDeadlineMs: number, now = Date.now()): SwitchyardRequestHeaders {
  const read = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const result: SwitchyardRequestHeaders = { priority: 0, userRegion: '', cacheBypass: false, cacheNoStore: false };

  const priority = read('x-switchyard-priority');
  if (priority !== undefined) {
    const key = priority.trim().toLowerCase().replace(/^priority_/, '');
    const value = PRIORITIES[key];
    if (value === undefined) throw new InvalidArgument('x-switchyard-priority', 'must be one of critical, high, normal, low, bulk');
    result.priority = value;
  }

  const region = read('x-switchyard-region');
  if (region !== undefined) {
    if (!REGION_PATTERN.test(region.trim())) throw new InvalidArgument('x-switchyard-region', 'must be a region name such as "eastus"');
    result.userRegion = region.trim();
  }

  const cache = read('x-switchyard-cache');
  if (cache !== undefined) {
    const directive = cache.trim().toLowerCase();
    if (directive === 'no-store') result.cacheNoStore = result.cacheBypass = true;
    else if (directive === 'no-cache') result.cacheBypass = true;
    else if (directive !== 'default') {
      throw new InvalidArgument('x-switchyard-cache', '"no-store" (no lookup, no store), "no-cache" (no lookup, the answer is stored) or "default"');
    }
  }

  const timeout = read('x-switchyard-timeout-ms');
  if (timeout !== undefined) {
    const ms = /^\s*\d{1,10}\s*$/.test(timeout) ? Number(timeout) : NaN;
    if (!(ms >= 1 && ms <= maxDeadlineMs)) {
      throw new InvalidArgument('x-switchyard-timeout-ms', `must be a whole number of milliseconds from 1 to ${maxDeadlineMs}`);
    }
    result.deadline = new Date(now + ms);
  }
  return result;
}

const CACHE_HEADER: Record<gatewayV1.CacheStatus, string> = {
  [gatewayV1.CacheStatus.CACHE_STATUS_UNSPECIFIED]: 'miss',
  [gatewayV1.CacheStatus.CACHE_STATUS_MISS]: 'miss',
  [gatewayV1.CacheStatus.CACHE_STATUS_EXACT]: 'exact',
  [gatewayV1.CacheStatus.CACHE_STATUS_SEMANTIC]: 'semantic',
  [gatewayV1.CacheStatus.UNRECOGNIZED]: 'miss',
};

/** The route a request took, as response headers. `bypassed` says the caller asked not to look the cache up. */
export function routeHeaders(route: gatewayV1.Route, bypassed: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    'x-switchyard-model': route.model,
    'x-switchyard-cache': bypassed ? 'bypass' : CACHE_HEADER[route.cache],
    'x-switchyard-queue-wait-ms': String(route.queueWaitMs),
  };
  if (route.tier) headers['x-switchyard-tier'] = route.tier;
  if (route.region) headers['x-switchyard-region'] = route.region;
  if (route.cache === gatewayV1.CacheStatus.CACHE_STATUS_SEMANTIC) headers['x-switchyard-similarity'] = route.similarity.toFixed(4);
  if (route.attempts > 0) headers['x-switchyard-attempts'] = String(route.attempts);
  return headers;
}

/** OpenAI's x-ratelimit-* headers for the tenant's limits that apply. */
export function quotaHeaders(quota: QuotaSnapshot): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const dimension of ['requests', 'tokens'] as const) {
    const q = quota[dimension];
    if (!q) continue;
    headers[`x-ratelimit-limit-${dimension}`] = String(q.limit);
    headers[`x-ratelimit-remaining-${dimension}`] = String(q.remaining);
  }
  return headers;
}
