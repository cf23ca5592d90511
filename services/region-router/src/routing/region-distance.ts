import { z } from 'zod';

/**
 * Distances between regions as `"a:b": n` (symmetric, order of the pair does not matter). Smaller is closer;
 * the number only ranks regions, so any consistent scale works.
 */
export const RegionDistancesSchema = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9-]*:[a-z0-9][a-z0-9-]*$/, 'expected a key like "eastus:westus"'),
  z.number().min(0),
);

export type RegionDistanceTable = z.output<typeof RegionDistancesSchema>;

/** The seed's table, with the pairs it left out filled in by rough geography. */
export const DEFAULT_REGION_DISTANCES: RegionDistanceTable = {
  'eastus:westus': 1,
  'eastus:westeurope': 2,
  'eastus:eastasia': 3,
  'westus:eastasia': 2,
  'westus:westeurope': 3,
  'westeurope:eastasia': 3,
};

/** The seed's score for a pair nobody wrote down. */
export const DEFAULT_UNKNOWN_DISTANCE = 2;

export type RegionDistance = (from: string, to: string) => number;

export function regionDistance(
  table: RegionDistanceTable = DEFAULT_REGION_DISTANCES,
  unknownDistance = DEFAULT_UNKNOWN_DISTANCE,
): RegionDistance {
  return (from, to) => {
    if (from === to) return 0;
    return table[`${from}:${to}`] ?? table[`${to}:${from}`] ?? unknownDistance;
  };
}
