/**
 * A reproducible source of randomness: simulations and property tests draw from it so a run, or a failing
 * sequence, replays from its seed. This file imports nothing, so pure domain code may use it
 * (`@switchyard/service-kit/seeded-random`).
 */

/** A source of numbers in [0, 1). */
export type RandomSource = () => number;

/** mulberry32: tiny, fast and good enough for simulation; the same seed always yields the same sequence. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
