import { ResourceExhausted, Unavailable } from '@switchyard/service-kit/errors';
import type { RegionDistance } from './region-distance';

/** Why a region cannot take traffic right now. */
export type Blocked = 'cooling' | 'breaker-open' | 'probe-in-flight';

/** A region as the choice sees it at one instant. */
export interface RegionSnapshot {
  name: string;
  /** max(TPM share, RPM share) over the window, reservations included; may exceed 1. */
  load: number;
  /** Set while the region must not be used: cooling down after a 429, breaker open, or its probe still out. */
  blocked?: Blocked;
  /** With `blocked`: how long until that ends (0 for a probe in flight: unknown). */
  msUntilAvailable: number;
  /** With no new traffic, how long until load falls below the saturation threshold. */
  msUntilUnsaturated: number;
  /** Its breaker is open and due for a probe: choosing it lets one request test the region. */
  probe?: boolean;
}

export interface ChoosePolicy {
  /** The user's own region is taken while its load is below this (seed: 0.8). */
  preferThreshold: number;
  /** Regions at or above this load are not used at all (seed: 0.9). */
  saturationThreshold: number;
  distance: RegionDistance;
}

export interface RegionDecision {
  region: string;
  load: number;
  distance: number;
  /** This request is the half-open probe of the region's breaker. */
  probe: boolean;
  /** Why this region, in words an operator can read in a trace. */
  reason: string;
}

const pct = (load: number) => load.toFixed(2);

/**
 * The seed's rule: the user's region while it has headroom, else the least-loaded unsaturated region,
 * closer first on equal load. Blocked regions (cooling, breaker open, probe out) and regions in `exclude`
 * (already tried for this request) are skipped.
 *
 * Throws Unavailable when every remaining region is out because it is failing (breakers), and
 * ResourceExhausted, with the soonest time capacity returns, when they are out for capacity (cooling after
 * 429s, saturated) — the first says "the upstream is broken", the second "come back later".
 */
export function chooseRegion(
  userRegion: string,
  candidates: readonly RegionSnapshot[],
  policy: ChoosePolicy,
  exclude: ReadonlySet<string> = new Set(),
): RegionDecision {
  const untried = candidates.filter((c) => !exclude.has(c.name));
  const eligible = untried.filter((c) => c.blocked === undefined);

  const own = eligible.find((c) => c.name === userRegion);
  if (own && own.load < policy.preferThreshold) {
    return {
      region: own.name,
      load: own.load,
      distance: 0,
      probe: own.probe === true,
      reason: `user region ${own.name} has headroom (load ${pct(own.load)} < ${policy.preferThreshold})${probeNote(own)}`,
    };
  }

  const available = eligible
    .filter((c) => c.load < policy.saturationThreshold)
    .map((c) => ({ snapshot: c, distance: policy.distance(userRegion, c.name) }))
    .sort((a, b) => a.snapshot.load - b.snapshot.load || a.distance - b.distance || (a.snapshot.name < b.snapshot.name ? -1 : 1));

  if (available.length === 0) throw noRegion(untried, policy, exclude.size);

  const best = available[0]!;
  return {
    region: best.snapshot.name,
    load: best.snapshot.load,
    distance: best.distance,
    probe: best.snapshot.probe === true,
    reason: `${whyNotOwn(userRegion, candidates, own, exclude, policy)}; least loaded then closest: ${best.snapshot.name} (load ${pct(best.snapshot.load)}, distance ${best.distance})${probeNote(best.snapshot)}`,
  };
}

function probeNote(snapshot: RegionSnapshot): string {
  return snapshot.probe ? ' [half-open probe]' : '';
}

function whyNotOwn(
  userRegion: string,
  candidates: readonly RegionSnapshot[],
  own: RegionSnapshot | undefined,
  exclude: ReadonlySet<string>,
  policy: ChoosePolicy,
): string {
  if (userRegion === '') return 'no user region given';
  if (own) return `user region ${userRegion} busy (load ${pct(own.load)} >= ${policy.preferThreshold})`;
  if (exclude.has(userRegion)) return `user region ${userRegion} already tried`;
  const known = candidates.find((c) => c.name === userRegion);
  if (known?.blocked) return `user region ${userRegion} ${describeBlocked(known)}`;
  return `user region ${userRegion} not available to this request`;
}

function describeBlocked(c: RegionSnapshot): string {
  switch (c.blocked) {
    case 'cooling':
      return `cooling down (${Math.ceil(c.msUntilAvailable)} ms left)`;
    case 'breaker-open':
      return `breaker open (probe in ${Math.ceil(c.msUntilAvailable)} ms)`;
    case 'probe-in-flight':
      return 'breaker half-open (probe in flight)';
    default:
      return `load ${pct(c.load)}`;
  }
}

function noRegion(untried: readonly RegionSnapshot[], policy: ChoosePolicy, triedCount: number): ResourceExhausted | Unavailable {
  if (untried.length === 0) return new ResourceExhausted(`no region left to try (${triedCount} already tried)`);
  const states = untried.map((c) => `${c.name} ${describeBlocked(c)}`).join(', ');
  const failing = untried.every((c) => c.blocked === 'breaker-open' || c.blocked === 'probe-in-flight');
  const waits = untried.map((c) => (c.blocked ? c.msUntilAvailable : c.msUntilUnsaturated)).filter((ms) => ms > 0);
  const retryAfterMs = waits.length > 0 ? Math.max(1, Math.ceil(Math.min(...waits))) : undefined;
  if (failing) return new Unavailable(`every region this request may use is failing: ${states}`, retryAfterMs);
  return new ResourceExhausted(`no region has capacity (saturation ${policy.saturationThreshold}): ${states}`, retryAfterMs ?? 1);
}
