import type { Clock } from '@switchyard/service-kit/clock';
import { FailedPrecondition } from '@switchyard/service-kit/errors';
import type { AttemptEffects, AttemptReport } from './attempt-report';
import { chooseRegion, type ChoosePolicy, type RegionDecision, type RegionSnapshot } from './choose-region';
import { servesModel, type RegionConfig } from './region-config';
import { regionDistance, type RegionDistanceTable } from './region-distance';
import { DEFAULT_BREAKER_OPTIONS, type BreakerOptions, type BreakerState } from './region-breaker';
import { RegionState, type QuotaObservation, type RegionHealthOptions } from './region-state';
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
  health?: Partial<Omit<RegionHealthOptions, 'breaker'>> & { breaker?: Partial<BreakerOptions> };
}

export const DEFAULT_HEALTH_OPTIONS: Omit<RegionHealthOptions, 'breaker'> = {
  latencyEwmaAlpha: 0.2,
  defaultRetryAfterMs: 1_000,
  maxCooldownMs: 60_000,
};

export interface ChooseOptions {
  /** Regions already tried for this request. */
  exclude?: ReadonlySet<string>;
  /** If given, only these regions may serve the request (data residency). */
  allowed?: readonly string[];
  /** If given, only regions that serve this model are candidates. */
  model?: string;
}

/** One upstream attempt under way: report how it ended exactly once. */
export interface AttemptTicket {
  readonly region: string;
  /** This attempt is the half-open probe of the region's breaker. */
  readonly probe: boolean;
  /** `usedTokens` is the usage the upstream reported; without it the reservation keeps its estimate or drops it. */
  finish(report: AttemptReport, usedTokens?: number): Promise<AttemptEffects>;
}

export type RegionHealthState = 'healthy' | 'cooling' | 'open' | 'half-open';

/** The operator's view of one region (ListRegions). */
export interface RegionStatus {
  region: string;
  provider: RegionConfig['provider'];
  state: RegionHealthState;
  /** Why it is not healthy, in words; '' when healthy. */
  stateReason: string;
  coolingUntil: number | undefined;
  probeAfter: number | undefined;
  load: number;
  tpmShare: number;
  rpmShare: number;
  saturated: boolean;
  windowTokens: number;
  windowRequests: number;
  capacityTpm: number;
  capacityRpm: number | undefined;
  inFlight: number;
  latencyEwmaMs: number | undefined;
  requests: number;
  errors: number;
  throttled: number;
  timeouts: number;
  breakerOpens: number;
  quota: QuotaObservation | undefined;
  deployments: Readonly<Record<string, string>>;
}

/** Lifetime counters and load, as the older Stats RPC reports them. */
export interface RegionStats {
  region: string;
  capacityTpm: number;
  capacityRpm: number | undefined;
  load: number;
  windowTokens: number;
  windowRequests: number;
  requests: number;
  errors: number;
  throttled: number;
  latencyEwmaMs: number | undefined;
  cooldownMsLeft: number;
}

/**
 * The seed's GlobalAIRouter with live numbers: capacity from config; load from the traffic this router sent
 * (sliding window, estimates corrected by reported usage) and from the quota the upstream reports; cool-downs
 * from 429s; a circuit breaker per region fed by 5xx, network failures and timeouts.
 */
export class RegionRouter {
  private readonly regions: ReadonlyMap<string, RegionConfig>;
  private readonly window: SlidingWindowLoad;
  private readonly states = new Map<string, RegionState>();
  private readonly clock: Clock;
  readonly policy: ChoosePolicy;

  constructor(options: RegionRouterOptions) {
    const preferThreshold = options.preferThreshold ?? 0.8;
    const saturationThreshold = options.saturationThreshold ?? 0.9;
    if (!(preferThreshold > 0 && preferThreshold <= saturationThreshold)) {
      throw new RangeError(`need 0 < preferThreshold (${preferThreshold}) <= saturationThreshold (${saturationThreshold})`);
    }
    if (options.regions.length === 0) throw new RangeError('at least one region is required');
    this.clock = options.clock;
    this.regions = new Map(options.regions.map((r) => [r.name, r]));
    this.window = new SlidingWindowLoad({ clock: options.clock, windowMs: options.windowMs, bucketMs: options.bucketMs });
    const health: RegionHealthOptions = {
      ...DEFAULT_HEALTH_OPTIONS,
      ...options.health,
      breaker: { ...DEFAULT_BREAKER_OPTIONS, ...options.health?.breaker },
    };
    for (const name of this.regions.keys()) this.states.set(name, new RegionState(options.clock, health));
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
   * Throws ResourceExhausted when the candidates are out for capacity (cooling, saturated), Unavailable when
   * they are failing (breakers open), FailedPrecondition when no allowed region serves the model at all.
   */
  choose(userRegion: string, options: ChooseOptions = {}): RegionDecision {
    return chooseRegion(userRegion, this.candidates(options), this.policy, options.exclude);
  }

  /** Whether another region than those in `exclude` could take the request now (failover is possible). */
  hasAlternative(userRegion: string, options: ChooseOptions): boolean {
    try {
      this.choose(userRegion, options);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Starts an attempt on `region`: passes its breaker, counts it in flight and reserves its estimated tokens
   * so concurrent choices see it. Returns undefined when the breaker refuses (it opened since the choice).
   * Call it in the same synchronous step as `choose`, so no other choice can take the same probe.
   */
  begin(region: string, estimatedTokens: number): AttemptTicket | undefined {
    const state = this.stateOf(region);
    const pass = state.begin();
    if (!pass) return undefined;
    const reservation = this.window.reserve(region, estimatedTokens);
    let done: Promise<AttemptEffects> | undefined;
    return {
      region,
      probe: pass.probe,
      finish: (report, usedTokens) => {
        done ??= (() => {
          if (usedTokens !== undefined) reservation.settle(usedTokens);
          // The upstream refused before doing the work: nothing was used. A timeout or a deadline keeps the
          // estimate, since the upstream may have done (and billed) the work.
          else if (['throttled', 'server_error', 'network', 'rejected'].includes(report.outcome)) reservation.settle(0);
          return state.finish(pass, report);
        })();
        return done;
      },
    };
  }

  /** Counts `estimatedTokens` and one request against `region` now (tests and callers that bypass begin). */
  reserve(region: string, estimatedTokens: number): Reservation {
    this.config(region);
    return this.window.reserve(region, estimatedTokens);
  }

  snapshot(region: string): RegionSnapshot {
    const config = this.config(region);
    const state = this.stateOf(region);
    const { tokens, requests } = this.windowCapacity(config);
    const saturation = this.policy.saturationThreshold;
    const cooldown = state.cooldownMsLeft();
    const breaker = state.breakerState();
    const probeAt = state.breaker.probeAt();
    const now = this.clock.now();
    let blocked: RegionSnapshot['blocked'];
    let msUntilAvailable = 0;
    if (breaker === 'half-open') blocked = 'probe-in-flight';
    else if (breaker === 'open' && probeAt !== undefined && probeAt > now) {
      blocked = 'breaker-open';
      msUntilAvailable = probeAt - now;
    } else if (cooldown > 0) {
      blocked = 'cooling';
      msUntilAvailable = cooldown;
    }
    return {
      name: region,
      load: this.load(region),
      blocked,
      msUntilAvailable,
      msUntilUnsaturated: this.window.msUntilBelow(region, saturation * tokens, saturation * requests),
      probe: blocked === undefined && breaker === 'open',
    };
  }

  /** max(TPM share, RPM share): what routing compares with the thresholds. */
  load(region: string): number {
    const { tpmShare, rpmShare } = this.shares(region);
    return Math.max(tpmShare, rpmShare);
  }

  /**
   * Each share is the larger of what this router sent in the window over the configured capacity and what
   * the upstream last reported in use (x-ratelimit-*), which also counts other replicas' traffic.
   */
  shares(region: string): { tpmShare: number; rpmShare: number } {
    const { tokens, requests } = this.windowCapacity(this.config(region));
    const state = this.stateOf(region);
    return {
      tpmShare: Math.max(this.window.tokens(region) / tokens, state.reportedTokenShare()),
      rpmShare: Math.max(requests === Infinity ? 0 : this.window.requests(region) / requests, state.reportedRequestShare()),
    };
  }

  cooldownMsLeft(region: string): number {
    return this.stateOf(region).cooldownMsLeft();
  }

  breakerState(region: string): BreakerState {
    return this.stateOf(region).breakerState();
  }

  status(): RegionStatus[] {
    return this.regionNames.map((name) => {
      const config = this.config(name);
      const state = this.stateOf(name);
      const { tpmShare, rpmShare } = this.shares(name);
      const load = Math.max(tpmShare, rpmShare);
      const breaker = state.breakerState();
      const cooling = state.cooling();
      const [health, reason]: [RegionHealthState, string] =
        breaker === 'half-open'
          ? ['half-open', `probe in flight after: ${state.breaker.openReason}`]
          : breaker === 'open'
            ? ['open', state.breaker.openReason]
            : cooling
              ? ['cooling', cooling.reason]
              : ['healthy', ''];
      return {
        region: name,
        provider: config.provider,
        state: health,
        stateReason: reason,
        coolingUntil: cooling?.until,
        probeAfter: state.breaker.probeAt(),
        load,
        tpmShare,
        rpmShare,
        saturated: load >= this.policy.saturationThreshold,
        windowTokens: this.window.tokens(name),
        windowRequests: this.window.requests(name),
        capacityTpm: config.capacityTpm,
        capacityRpm: config.capacityRpm,
        inFlight: state.inFlight,
        latencyEwmaMs: state.latencyEwmaMs,
        requests: state.requests,
        errors: state.errors,
        throttled: state.throttled,
        timeouts: state.timeouts,
        breakerOpens: state.breaker.opens,
        quota: state.quota,
        deployments: config.deployments ?? {},
      };
    });
  }

  stats(): RegionStats[] {
    return this.status().map((s) => ({
      region: s.region,
      capacityTpm: s.capacityTpm,
      capacityRpm: s.capacityRpm,
      load: s.load,
      windowTokens: s.windowTokens,
      windowRequests: s.windowRequests,
      requests: s.requests,
      errors: s.errors + s.timeouts,
      throttled: s.throttled,
      latencyEwmaMs: s.latencyEwmaMs,
      cooldownMsLeft: this.cooldownMsLeft(s.region),
    }));
  }

  private candidates(options: ChooseOptions): RegionSnapshot[] {
    const allowed = options.allowed ? new Set(options.allowed) : undefined;
    const permitted = this.regionNames.filter((name) => !allowed || allowed.has(name));
    if (permitted.length === 0) {
      throw new FailedPrecondition(
        `none of the regions this request may use (${options.allowed?.join(', ')}) is configured; configured: ${this.regionNames.join(', ')}`,
      );
    }
    const model = options.model;
    const serving = model === undefined ? permitted : permitted.filter((name) => servesModel(this.config(name), model));
    if (serving.length === 0) {
      throw new FailedPrecondition(`model "${model}" is not deployed in any region this request may use (${permitted.join(', ')})`);
    }
    return serving.map((name) => this.snapshot(name));
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

  private stateOf(region: string): RegionState {
    const state = this.states.get(region);
    if (!state) throw new RangeError(`unknown region "${region}"`);
    return state;
  }
}
