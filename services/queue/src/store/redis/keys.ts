/**
 * Key names. Every key of one pool carries the hash tag `{<pool>}`, so a pool's keys share one Redis Cluster slot
 * and its scripts can touch them together.
 */
export const poolKey = (prefix: string, pool: string): string => `${prefix}:{${pool}}`;

/** Set of pool names, for Stats without a pool. */
export const poolsKey = (prefix: string): string => `${prefix}:pools`;

/** A replica's wake-up channel is this plus its id. */
export const channelPrefix = (prefix: string): string => `${prefix}:notify:`;
