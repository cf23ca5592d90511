import { FailedPrecondition } from '@switchyard/service-kit/errors';
import type { Clock } from './clock';
import { chooseRegion, type ChoosePolicy, type RegionDecision, type RegionSnapshot } from './choose-region';
import type { RegionConfig } from './region-config';
import { regionDistance, type RegionDistanceTable } from './region-distance';
import { DEFAULT_HEALTH_OPTIONS, RegionHealth, type RegionHealthOptions } from './region-health';
import { SlidingWindowLoad, type Reservation } from './sliding-window-load';

export interface RegionRouterOptions {
  regions: readonly RegionConfig[];
  clock: Clock;
  distances?: RegionDistanceTable;
  unknownDistance?: number;
  windowMs?: number;
  bucketMs?: number;
  preferThreshold?: number;
  saturationThreshold?: number;
  health?: RegionHealthOptions;
}

export interface ChooseOptions {
  /** Regions already tried for this request. */
  exclude?: ReadonlySet<string>;
  /** If given, only these regions may serve the request (data residency). */
  allowed?: readonly string[];
}

export interface RegionStats {
  region: string;
  capacityTpm: number;
  capacityRpm: number | undefined;
  /** Fraction of capacity used over the window, reservations included. */
  load: number;
  windowTokens: number;
  windowRequests: number;
  /** Lifetime totals: upstream attempts, 5xx/network failures, 429s. */
  requests: number;
  errors: number;
  throttled: number;
  latencyEwmaMs: number | undefined;
  cooldownMsLeft: number;
}

/**
 * The seed's GlobalAIRouter with live numbers: capacity from config, load from the traffic this router
 * sent (sliding window), cool-downs from upstream 429s and failures.
 */
export class RegionRouter {
  private readonly regions: ReadonlyMap<string, RegionConfig>;
  private readonly window: SlidingWindowLoad;
  private readonly health = new Map<string, RegionHealth>();
  private readonly policy: ChoosePolicy;

  constructor(options: RegionRouterOptions) {
    const preferThreshold = options.preferThreshold ?? 0.8;
    const saturationThreshold = options.saturationThreshold ?? 0.9;
    if (!(preferThreshold > 0 && preferThreshold <= saturationThreshold)) {
      throw new RangeError(`need 0 < preferThreshold (${preferThreshold}) <= saturationThreshold (${saturationThreshold})`);
    }
    if (options.regions.length === 0) throw new RangeError('at least one region is required');
    this.regions = new Map(options.regions.map((r) => [r.name, r]));
    this.window = new SlidingWindowLoad({ clock: options.clock, windowMs: options.windowMs, bucketMs: options.bucketMs });
    const healthOptions = { ...DEFAULT_HEALTH_OPTIONS, ...options.health };
    for (const name of this.regions.keys()) this.health.set(name, new RegionHealth(options.clock, healthOptions));
    this.policy = {
      preferThreshold,
      saturationThreshold,
      distance: regionDistance(options.distances, options.unknownDistance),
    };
  }

  get regionNames(): string[] {
    return [...this.regions.keys()];
  }

  has(region: string): boolean {
    return this.regions.has(region);
  }

  /**
   * Throws ResourceExhausted when no candidate region is below saturation and out of cool-down,
   * FailedPrecondition when `allowed` names no configured region.
   */
  choose(userRegion: string, options: ChooseOptions = {}): RegionDecision {
    const allowed = options.allowed ? new Set(options.allowed) : undefined;
    const candidates = this.regionNames.filter((name) => !allowed || allowed.has(name)).map((name) => this.snapshot(name));
    if (candidates.length === 0) {
      throw new FailedPrecondition(
        `none of the regions this request may use (${options.allowed?.join(', ')}) is configured; configured: ${this.regionNames.join(', ')}`,
      );
    }
    return chooseRegion(userRegion, candidates, this.policy, options.exclude);
  }

  snapshot(region: string): RegionSnapshot {
    const config = this.config(region);
    const { tokens, requests } = this.windowCapacity(config);
    const saturation = this.policy.saturationThreshold;
    return {
      name: region,
      load: this.load(region),
      cooldownMsLeft: this.healthOf(region).cooldownMsLeft(),
      msUntilUnsaturated: this.window.msUntilBelow(region, saturation * tokens, saturation * requests),
    };
  }

  /** max(tokens / token capacity, requests / request capacity) over the window. */
  load(region: string): number {
    const { tokens, requests } = this.windowCapacity(this.config(region));
    return Math.max(this.window.tokens(region) / tokens, this.window.requests(region) / requests);
  }

  /** Counts an upstream attempt and its estimated tokens now; settle with real usage when it ends. */
  reserve(region: string, estimatedTokens: number): Reservation {
    this.healthOf(region).recordAttempt();
    return this.window.reserve(region, estimatedTokens);
  }

  recordSuccess(region: string, latencyMs: number): void {
    this.healthOf(region).recordSuccess(latencyMs);
  }

  /** Returns the cool-down applied. */
  recordThrottle(region: string, retryAfterMs: number | undefined): number {
    return this.healthOf(region).recordThrottle(retryAfterMs);
  }

  recordFailure(region: string): void {
    this.healthOf(region).recordFailure();
  }

  cooldownMsLeft(region: string): number {
    return this.healthOf(region).cooldownMsLeft();
  }

  stats(): RegionStats[] {
    return this.regionNames.map((name) => {
      const config = this.config(name);
      const health = this.healthOf(name);
      return {
        region: name,
        capacityTpm: config.capacityTpm,
        capacityRpm: config.capacityRpm,
        load: this.load(name),
        windowTokens: this.window.tokens(name),
        windowRequests: this.window.requests(name),
        requests: health.requests,
        errors: health.errors,
        throttled: health.throttled,
        latencyEwmaMs: health.latencyEwmaMs,
        cooldownMsLeft: health.cooldownMsLeft(),
      };
    });
  }

  /** Per-minute capacities scaled to the window, so load stays a fraction whatever the window length. */
  private windowCapacity(config: RegionConfig): { tokens: number; requests: number } {
    const perMinute = this.window.windowMs / 60_000;
    return {
      tokens: config.capacityTpm * perMinute,
      requests: config.capacityRpm === undefined ? Infinity : config.capacityRpm * perMinute,
    };
  }

  private config(region: string): RegionConfig {
    const config = this.regions.get(region);
    if (!config) throw new RangeError(`unknown region "${region}"`);
    return config;
  }

  private healthOf(region: string): RegionHealth {
    const health = this.health.get(region);
    if (!health) throw new RangeError(`unknown region "${region}"`);
    return health;
  }
}
