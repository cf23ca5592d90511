import { queueV1 } from '@switchyard/contracts';
import { createClient } from '@switchyard/service-kit';
import type { RunningStack } from '@switchyard/local-stack';

/** The queue as a test reads it: its Stats prove whether leases were given back. */
export function queueProbe(stack: RunningStack) {
  const client = createClient(queueV1.QueueServiceService, stack.byName('queue').address, { dependency: 'queue', defaultTimeoutMs: 5_000 });
  const pool = async (name: string) => (await client.stats({ pool: name })).pools.find((p) => p.pool === name);
  return {
    activeLeases: async (name: string) => (await pool(name))?.activeLeases ?? 0,
    lapsed: async (name: string) => Number((await pool(name))?.lapsedTotal ?? 0),
    /** Active leases summed over every pool. */
    allActiveLeases: async () => (await client.stats({ pool: '' })).pools.reduce((sum, p) => sum + p.activeLeases, 0),
    allLapsed: async () => (await client.stats({ pool: '' })).pools.reduce((sum, p) => sum + Number(p.lapsedTotal), 0),
    close: () => client.close(),
  };
}

/** The upstream simulators' admin API: faults for every region at once, and their counters. */
export function simulators(stack: RunningStack) {
  const sims = stack.services.filter((s) => s.name.startsWith('upstream-sim:'));
  const post = (path: string, body?: unknown) =>
    Promise.all(
      sims.map(async (sim) => {
        const res = await fetch(`${sim.address}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        if (!res.ok) throw new Error(`${sim.name} ${path}: HTTP ${res.status} ${await res.text()}`);
      }),
    );
  return {
    setFaults: (faults: Record<string, unknown>) => post('/admin/faults', faults),
    reset: () => post('/admin/reset'),
    /** Requests whose client went away before the answer was complete, over all regions. */
    cancelled: async () => {
      const stats = await Promise.all(sims.map(async (sim) => (await (await fetch(`${sim.address}/admin/stats`)).json()) as { cancelled: number }));
      return stats.reduce((sum, s) => sum + s.cancelled, 0);
    },
  };
}
