import { FairWaitQueue, type Queued } from './fair-wait-queue';
import type { Priority } from './priority';

interface Item extends Queued {
  readonly id: string;
}

let clock = 0;
const item = (id: string, tenant: string, priority: Priority): Item => ({ id, tenant, priority, enqueuedAtMs: ++clock });

function drainIds(queue: FairWaitQueue<Item>): string[] {
  return queue.drain().map((i) => i.id);
}

describe('FairWaitQueue', () => {
  it('serves the most urgent level first, round-robin across tenants, FIFO per tenant', () => {
    const queue = new FairWaitQueue<Item>();
    for (const i of [
      item('a1', 'a', 3),
      item('a2', 'a', 3),
      item('a3', 'a', 3),
      item('b1', 'b', 3),
      item('x1', 'x', 5),
      item('c1', 'c', 1),
      item('b2', 'b', 3),
    ]) {
      queue.enqueue(i);
    }
    expect(drainIds(queue)).toEqual(['c1', 'a1', 'b1', 'a2', 'b2', 'a3', 'x1']);
    expect(queue.size).toBe(0);
  });

  it('removes any waiter by ticket and drops a tenant from the ring when it has nobody left', () => {
    const queue = new FairWaitQueue<Item>();
    queue.enqueue(item('a1', 'a', 2));
    const b1 = queue.enqueue(item('b1', 'b', 2));
    queue.enqueue(item('c1', 'c', 2));
    queue.enqueue(item('a2', 'a', 2));
    expect(queue.remove(b1)).toBe(true);
    expect(queue.remove(b1)).toBe(false);
    expect(queue.depthByTenant().has('b')).toBe(false);
    expect(drainIds(queue)).toEqual(['a1', 'c1', 'a2']);
  });

  it('reports the lowest priority present and its newest arrival, across tenants', () => {
    const queue = new FairWaitQueue<Item>();
    expect(queue.lowestPriority()).toBeUndefined();
    queue.enqueue(item('n', 'a', 3));
    queue.enqueue(item('l-old', 'a', 4));
    queue.enqueue(item('l-new', 'b', 4));
    queue.enqueue(item('h', 'b', 2));
    expect(queue.lowestPriority()).toBe(4);
    expect(queue.newest(4)?.item.id).toBe('l-new');
  });

  it('tracks depth per priority and tenant and the oldest arrival', () => {
    const queue = new FairWaitQueue<Item>();
    const first = item('first', 'a', 5);
    queue.enqueue(first);
    queue.enqueue(item('second', 'b', 1));
    queue.enqueue(item('third', 'b', 1));
    expect([queue.depthOf(1), queue.depthOf(5)]).toEqual([2, 1]);
    expect(Object.fromEntries(queue.depthByTenant())).toEqual({ a: 1, b: 2 });
    expect(queue.oldestEnqueuedAtMs()).toBe(first.enqueuedAtMs);
    queue.shift();
    queue.shift();
    expect(Object.fromEntries(queue.depthByTenant())).toEqual({ a: 1 });
  });

  it('handles a tenant named like an Object prototype key', () => {
    const queue = new FairWaitQueue<Item>();
    queue.enqueue(item('p', '__proto__', 3));
    expect(Object.fromEntries(queue.depthByTenant())).toEqual({ ['__proto__']: 1 });
    expect(drainIds(queue)).toEqual(['p']);
  });

  it('serves one level on demand and finds the less urgent level whose oldest waiter came first', () => {
    const queue = new FairWaitQueue<Item>();
    queue.enqueue(item('low-old', 'a', 4));
    queue.enqueue(item('bulk', 'a', 5));
    queue.enqueue(item('crit', 'a', 1));
    queue.enqueue(item('low-new', 'b', 4));
    expect(queue.mostUrgentPriority()).toBe(1);
    expect(queue.levelWithOldestBelow(1)).toBe(4);
    expect(queue.shiftAt(4)?.id).toBe('low-old');
    expect(queue.levelWithOldestBelow(1)).toBe(5);
    expect(queue.depthAt(4, 'b')).toBe(1);
    expect(queue.deepestTenant(4)).toMatchObject({ tenant: 'b', depth: 1 });
  });
});
