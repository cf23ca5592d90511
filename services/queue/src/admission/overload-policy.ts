import type { FairWaitQueue, QueueTicket, Queued } from './fair-wait-queue';
import type { Priority } from './priority';

export interface Arrival {
  readonly tenant: string;
  readonly priority: Priority;
}

/**
 * Who makes room when an arrival finds the pool's queue full; undefined means the arrival is refused.
 *
 * - Someone less urgent waits: the newest waiter of the least urgent level present leaves, taken from the tenant
 *   with the most waiters at that level (so overload also falls first on whoever floods).
 * - Only equally urgent waiters at the bottom: the arrival displaces the newest waiter of the deepest tenant of its
 *   own level if that tenant has at least two more waiters there than the arrival's tenant. Otherwise a flooding
 *   tenant could keep a full queue to itself and a light tenant would be refused forever (the hole Kubernetes APF
 *   closes with a length limit per queue). The margin of two keeps two equal tenants from displacing each other.
 * - Everyone waiting is more urgent: the arrival is refused.
 *
 * The Redis store's enqueue script (store/redis/lua) applies the same rules; the shared behaviour suite holds both.
 */
export function chooseVictim<T extends Queued>(waiting: FairWaitQueue<T>, arrival: Arrival): QueueTicket<T> | undefined {
  const lowest = waiting.lowestPriority();
  if (lowest === undefined || lowest < arrival.priority) return undefined;
  const deepest = waiting.deepestTenant(lowest);
  if (!deepest) return undefined;
  if (lowest > arrival.priority) return deepest.newest;
  return deepest.depth >= waiting.depthAt(lowest, arrival.tenant) + 2 ? deepest.newest : undefined;
}
