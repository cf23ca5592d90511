import { ResourceExhausted } from '@switchyard/service-kit/errors';
import type { RegionDistance } from './region-distance';

/** A region as the choice sees it at one instant. */
export interface RegionSnapshot {
  name: string;
  /** Fraction of capacity used over the window (reservations included); may exceed 1. */
  load: number;
  /** > 0 while the region is cooling down after a 429 or an open breaker. */
  cooldownMsLeft: number;
  /** With no new traffic, how long until load falls below the saturation threshold. */
  msUntilUnsaturated: number;
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
  /** Why this region, in words an operator can read in a trace. */
  reason: string;
}

const pct = (load: number) => load.toFixed(2);

/**
 * The seed's rule: the user's region while it has headroom, else the least-loaded unsaturated region,
 * closer first on equal load. Regions cooling down and regions in `exclude` (already tried) are skipped.
 */
export function chooseRegion(
  userRegion: string,
  candidates: readonly RegionSnapshot[],
  policy: ChoosePolicy,
  exclude: ReadonlySet<string> = new Set(),
): RegionDecision {
  const untried = candidates.filter((c) => !exclude.has(c.name));
  const eligible = untried.filter((c) => c.cooldownMsLeft <= 0);

  const own = eligible.find((c) => c.name === userRegion);
  if (own && own.load < policy.preferThreshold) {
    return {
      region: own.name,
      load: own.load,
      distance: 0,
      reason: `user region ${own.name} has headroom (load ${pct(own.load)} < ${policy.preferThreshold})`,
    };
  }

  const available = eligible
    .filter((c) => c.load < policy.saturationThreshold)
    .map((c) => ({ snapshot: c, distance: policy.distance(userRegion, c.name) }))
    .sort((a, b) => a.snapshot.load - b.snapshot.load || a.distance - b.distance || (a.snapshot.name < b.snapshot.name ? -1 : 1));

  if (available.length === 0) throw exhausted(untried, policy, exclude.size);

  const best = available[0];
  return {
    region: best.snapshot.name,
    load: best.snapshot.load,
    distance: best.distance,
    reason: `${whyNotOwn(userRegion, candidates, own, exclude, policy)}; least loaded then closest: ${best.snapshot.name} (load ${pct(best.snapshot.load)}, distance ${best.distance})`,
  };
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
  if (known) return `user region ${userRegion} cooling down (${Math.ceil(known.cooldownMsLeft)} ms left)`;
  return `user region ${userRegion} not available`;
}

function exhausted(untried: readonly RegionSnapshot[], policy: ChoosePolicy, triedCount: number): ResourceExhausted {
  if (untried.length === 0) {
    return new ResourceExhausted(`no region left to try (${triedCount} already tried)`);
  }
  const states = untried.map((c) =>
    c.cooldownMsLeft > 0 ? `${c.name} cooling down ${Math.ceil(c.cooldownMsLeft)} ms` : `${c.name} load ${pct(c.load)}`,
  );
  const retryAfterMs = Math.min(...untried.map((c) => Math.max(c.cooldownMsLeft, c.msUntilUnsaturated)));
  return new ResourceExhausted(
    `all regions at capacity (saturation ${policy.saturationThreshold}): ${states.join(', ')}`,
    Math.max(1, Math.ceil(retryAfterMs)),
  );
}
