import { FairWaitQueue, type Queued } from './fair-wait-queue';
import { chooseVictim } from './overload-policy';
import type { Priority } from './priority';

interface Item extends Queued {
  readonly id: string;
}

function queueOf(...items: [id: string, tenant: string, priority: Priority][]): FairWaitQueue<Item> {
  const queue = new FairWaitQueue<Item>();
  for (const [id, tenant, priority] of items) queue.enqueue({ id, tenant, priority, enqueuedAtMs: 0 });
  return queue;
}

const victim = (queue: FairWaitQueue<Item>, tenant: string, priority: Priority) => chooseVictim(queue, { tenant, priority })?.item.id;

describe('chooseVictim', () => {
  it('sheds the newest waiter of the deepest tenant at the least urgent level below the arrival', () => {
    const queue = queueOf(['a1', 'a', 4], ['a2', 'a', 4], ['b1', 'b', 4], ['n', 'a', 3]);
    expect(victim(queue, 'x', 2)).toBe('a2');
  });

  it('breaks a tie in depth by taking the newest waiter of the level', () => {
    const queue = queueOf(['a1', 'a', 5], ['b1', 'b', 5], ['a2', 'a', 5], ['b2', 'b', 5]);
    expect(victim(queue, 'x', 1)).toBe('b2');
  });

  it('at the arrival’s own level, displaces only a tenant with at least two more waiters', () => {
    const queue = queueOf(['f1', 'flood', 3], ['f2', 'flood', 3], ['l1', 'light', 3]);
    expect(victim(queue, 'light', 3)).toBeUndefined();
    expect(victim(queue, 'new', 3)).toBe('f2');
    expect(victim(queue, 'flood', 3)).toBeUndefined();
  });

  it('refuses when everyone waiting is more urgent, or nobody waits at all', () => {
    expect(victim(queueOf(['h', 'a', 2]), 'b', 3)).toBeUndefined();
    expect(victim(queueOf(), 'b', 1)).toBeUndefined();
  });
});
