import { LinkedList, type ListNode } from './linked-list';
import { PRIORITIES, type Priority } from './priority';

export interface Queued {
  readonly tenant: string;
  readonly priority: Priority;
  readonly enqueuedAtMs: number;
}

/** Handle returned by enqueue(); pass it to remove() to take the item out in O(1). */
export interface QueueTicket<T extends Queued> {
  readonly item: T;
}

// Each waiter sits in two lists at once: its level's arrival order and its tenant's FIFO.
interface Entry<T extends Queued> extends QueueTicket<T> {
  /** Arrival number, unique per queue: orders waiters across levels and tenants without trusting the clock. */
  readonly seq: number;
  arrivalNode: ListNode<Entry<T>>;
  tenantNode: ListNode<Entry<T>>;
}

interface Level<T extends Queued> {
  /** Every waiter of this priority in arrival order: head is the oldest, tail the newest (shed first). */
  readonly arrivals: LinkedList<Entry<T>>;
  /**
   * Round-robin ring of tenants that have waiters at this priority, each with its own FIFO. A Map keeps
   * insertion order, so "take the first tenant, re-insert it at the back" is an O(1) ring rotation.
   */
  readonly tenants: Map<string, LinkedList<Entry<T>>>;
}

/**
 * Waiting room of one pool: strict priority between levels, round-robin across tenants within a level,
 * FIFO within one tenant. Every operation is O(1) in the number of waiters (at most O(levels)).
 */
export class FairWaitQueue<T extends Queued> {
  private readonly levels = new Map<Priority, Level<T>>(
    PRIORITIES.map((p) => [p, { arrivals: new LinkedList<Entry<T>>(), tenants: new Map() }]),
  );
  private readonly tenantDepth = new Map<string, number>();
  private count = 0;
  private arrivals = 0;

  get size(): number {
    return this.count;
  }

  enqueue(item: T): QueueTicket<T> {
    const level = this.level(item.priority);
    let fifo = level.tenants.get(item.tenant);
    if (!fifo) {
      fifo = new LinkedList<Entry<T>>();
      level.tenants.set(item.tenant, fifo);
    }
    const entry = { item, seq: ++this.arrivals } as Entry<T>;
    entry.arrivalNode = level.arrivals.push(entry);
    entry.tenantNode = fifo.push(entry);
    this.tenantDepth.set(item.tenant, (this.tenantDepth.get(item.tenant) ?? 0) + 1);
    this.count++;
    return entry;
  }

  /** Takes the next item to serve: most urgent level, next tenant in that level's ring, oldest of that tenant. */
  shift(): T | undefined {
    const priority = this.mostUrgentPriority();
    return priority === undefined ? undefined : this.shiftAt(priority);
  }

  /** Takes the next item of one level: the next tenant in its ring, oldest of that tenant. */
  shiftAt(priority: Priority): T | undefined {
    const level = this.level(priority);
    const next = level.tenants.entries().next();
    if (next.done) return undefined;
    const [tenant, fifo] = next.value;
    const entry = fifo.shift() as Entry<T>;
    level.arrivals.remove(entry.arrivalNode);
    // Rotate: this tenant goes to the back of the ring, or leaves it when nobody of it is left waiting.
    level.tenants.delete(tenant);
    if (fifo.size > 0) level.tenants.set(tenant, fifo);
    this.forget(entry.item);
    return entry.item;
  }

  /** The most urgent priority that has at least one waiter. */
  mostUrgentPriority(): Priority | undefined {
    return PRIORITIES.find((p) => this.level(p).arrivals.size > 0);
  }

  /** Among the levels less urgent than `priority`, the one whose oldest waiter arrived first. */
  levelWithOldestBelow(priority: Priority): Priority | undefined {
    let best: { priority: Priority; seq: number } | undefined;
    for (const p of PRIORITIES) {
      if (p <= priority) continue;
      const head = this.level(p).arrivals.first();
      if (head && (best === undefined || head.seq < best.seq)) best = { priority: p, seq: head.seq };
    }
    return best?.priority;
  }

  /** Returns false if the ticket's item already left the queue. */
  remove(ticket: QueueTicket<T>): boolean {
    const entry = ticket as Entry<T>;
    const level = this.level(entry.item.priority);
    if (!level.arrivals.remove(entry.arrivalNode)) return false;
    const fifo = entry.tenantNode.list;
    if (fifo) {
      fifo.remove(entry.tenantNode);
      if (fifo.size === 0) level.tenants.delete(entry.item.tenant);
    }
    this.forget(entry.item);
    return true;
  }

  /** The least urgent priority that has at least one waiter. */
  lowestPriority(): Priority | undefined {
    for (let i = PRIORITIES.length - 1; i >= 0; i--) {
      const priority = PRIORITIES[i] as Priority;
      if (this.level(priority).arrivals.size > 0) return priority;
    }
    return undefined;
  }

  /** The most recent arrival at `priority`. */
  newest(priority: Priority): QueueTicket<T> | undefined {
    return this.level(priority).arrivals.last();
  }

  /** Waiters of `tenant` at `priority`. */
  depthAt(priority: Priority, tenant: string): number {
    return this.level(priority).tenants.get(tenant)?.size ?? 0;
  }

  /**
   * The tenant with the most waiters at `priority`, and its newest waiter. Ties go to the tenant whose newest
   * waiter arrived last, so with equal depths this is simply the newest waiter of the level.
   */
  deepestTenant(priority: Priority): { tenant: string; depth: number; newest: QueueTicket<T> } | undefined {
    let best: { tenant: string; depth: number; newest: Entry<T> } | undefined;
    for (const [tenant, fifo] of this.level(priority).tenants) {
      const newest = fifo.last() as Entry<T>;
      if (!best || fifo.size > best.depth || (fifo.size === best.depth && newest.seq > best.newest.seq)) {
        best = { tenant, depth: fifo.size, newest };
      }
    }
    return best;
  }

  oldestEnqueuedAtMs(): number | undefined {
    let oldest: number | undefined;
    for (const priority of PRIORITIES) {
      const head = this.level(priority).arrivals.first();
      if (head && (oldest === undefined || head.item.enqueuedAtMs < oldest)) oldest = head.item.enqueuedAtMs;
    }
    return oldest;
  }

  depthOf(priority: Priority): number {
    return this.level(priority).arrivals.size;
  }

  depthByTenant(): ReadonlyMap<string, number> {
    return this.tenantDepth;
  }

  /** Removes and returns every waiting item, in the order they would have been served. */
  drain(): T[] {
    const items: T[] = [];
    for (let item = this.shift(); item; item = this.shift()) items.push(item);
    return items;
  }

  private level(priority: Priority): Level<T> {
    return this.levels.get(priority) as Level<T>;
  }

  private forget(item: T): void {
    this.count--;
    const depth = (this.tenantDepth.get(item.tenant) ?? 1) - 1;
    if (depth === 0) this.tenantDepth.delete(item.tenant);
    else this.tenantDepth.set(item.tenant, depth);
  }
}
