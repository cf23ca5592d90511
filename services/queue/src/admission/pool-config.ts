import { MAX_TIMER_DELAY_MS } from '@switchyard/service-kit/clock';
import { InvalidArgument } from '@switchyard/service-kit/errors';
import { z } from 'zod';
import { MAX_MIN_SHARE_PERCENT } from './min-share';

/** Limits of one concurrency pool (usually one model). */
export interface PoolLimits {
  /** Leases that may be active at once. */
  readonly maxConcurrent: number;
  /** Requests that may wait for a lease; 0 means "no waiting: grant now or refuse". */
  readonly maxQueueSize: number;
  /** A lease not released or renewed within this long lapses and its slot is reused. */
  readonly leaseTtlMs: number;
  /** Share of contended grants reserved for less urgent priorities (see min-share.ts); 0 (default) = strict. */
  readonly minSharePercent?: number;
}

/** How the retry hint on RESOURCE_EXHAUSTED is bounded (see retry-hint.ts). */
export interface RetryHintConfig {
  readonly minMs: number;
  readonly maxMs: number;
  /** Assumed lease hold time until a pool has seen its first release. */
  readonly initialHoldMs: number;
}

export interface AdmissionConfig {
  /** Limits for every pool without an override, including pools first seen at run time. */
  readonly defaults: PoolLimits;
  /** Per-pool overrides; unset fields fall back to `defaults`. */
  readonly pools?: Readonly<Record<string, Partial<PoolLimits>>>;
  readonly retryHint?: Partial<RetryHintConfig>;
}

export const DEFAULT_POOL_LIMITS: PoolLimits = { maxConcurrent: 100, maxQueueSize: 1000, leaseTtlMs: 120_000, minSharePercent: 0 };

export const DEFAULT_RETRY_HINT: RetryHintConfig = { minMs: 100, maxMs: 30_000, initialHoldMs: 1_000 };

const LIMIT_BOUNDS: Record<keyof PoolLimits, readonly [min: number, max: number]> = {
  maxConcurrent: [1, 1_000_000],
  maxQueueSize: [0, 1_000_000],
  leaseTtlMs: [1, MAX_TIMER_DELAY_MS],
  minSharePercent: [0, MAX_MIN_SHARE_PERCENT],
};

/** Limits a pool's `defaults` may leave out. */
const OPTIONAL_LIMITS = new Set<keyof PoolLimits>(['minSharePercent']);

const limit = (key: keyof PoolLimits) => z.number().int().min(LIMIT_BOUNDS[key][0]).max(LIMIT_BOUNDS[key][1]);

const poolLimitsShape = {
  maxConcurrent: limit('maxConcurrent'),
  maxQueueSize: limit('maxQueueSize'),
  leaseTtlMs: limit('leaseTtlMs'),
  minSharePercent: limit('minSharePercent'),
};

/**
 * Schema for per-pool overrides as JSON, e.g. for `envJson(poolOverridesSchema, {})`:
 * `{"gpt-4o":{"maxConcurrent":20},"text-embedding-3-small":{"maxConcurrent":200,"maxQueueSize":5000}}`.
 */
export const poolOverridesSchema = z.record(z.string().min(1), z.strictObject(poolLimitsShape).partial());

/** A pool's limits with every field filled in. */
export type ResolvedPoolLimits = Required<PoolLimits>;

export function resolvePoolLimits(config: AdmissionConfig, pool: string): ResolvedPoolLimits {
  const override = Object.hasOwn(config.pools ?? {}, pool) ? config.pools?.[pool] : undefined;
  return { minSharePercent: 0, ...withoutUndefined(config.defaults), ...withoutUndefined(override ?? {}) } as ResolvedPoolLimits;
}

/** Checks every limit up front so a bad setting fails at start-up, naming the setting. */
export function validateAdmissionConfig(config: AdmissionConfig): void {
  checkLimits(config.defaults, 'defaults', true);
  for (const [pool, override] of Object.entries(config.pools ?? {})) {
    checkLimits(override, `pools.${pool}`, false);
  }
  const hint = resolveRetryHint(config);
  for (const key of ['minMs', 'maxMs', 'initialHoldMs'] as const) {
    if (!Number.isFinite(hint[key]) || hint[key] < 0) {
      throw new InvalidArgument(`retryHint.${key}`, `must be a number >= 0, got ${String(hint[key])}`);
    }
  }
  if (hint.minMs > hint.maxMs) throw new InvalidArgument('retryHint.minMs', 'must not exceed retryHint.maxMs');
}

export function resolveRetryHint(config: AdmissionConfig): RetryHintConfig {
  return { ...DEFAULT_RETRY_HINT, ...withoutUndefined(config.retryHint ?? {}) };
}

function checkLimits(limits: Partial<PoolLimits>, prefix: string, required: boolean): void {
  for (const key of Object.keys(LIMIT_BOUNDS) as (keyof PoolLimits)[]) {
    const value = limits[key];
    if (value === undefined && (!required || OPTIONAL_LIMITS.has(key))) continue;
    if (!poolLimitsShape[key].safeParse(value).success) {
      const [min, max] = LIMIT_BOUNDS[key];
      throw new InvalidArgument(`${prefix}.${key}`, `must be an integer from ${min} to ${max}, got ${String(value)}`);
    }
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
