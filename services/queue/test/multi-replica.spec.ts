import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { Cancelled, DeadlineExpired, Unavailable } from '@switchyard/service-kit/errors';
import { waitUntil } from '@switchyard/testing';
import { REDIS_URL, deleteKeys } from './support/admission-backends';
import { poolStats, startQueueReplica, type QueueClient, type Replica } from './support/queue-replicas';

/**
 * Two queue replicas as separate processes sharing pools through the real Redis at REDIS_URL (ADR 0010).
 * Every test uses its own pool; the whole file its own key prefix, removed at the end.
 */
jest.setTimeout(30_000);

const MAX = 3;
const LEASE_TTL_MS = 1_500;
const keyPrefix = `switchyard-test:queue-mp:${randomUUID()}`;
// Proto priority numbers (switchyard.gateway.v1.Priority).
const CRITICAL = 1;
const NORMAL = 3;
const LOW = 4;

const env = {
  REDIS_URL,
  QUEUE_REDIS_KEY_PREFIX: keyPrefix,
  QUEUE_MAX_CONCURRENT: String(MAX),
  QUEUE_MAX_QUEUE_SIZE: '100',
  QUEUE_LEASE_TTL_MS: String(LEASE_TTL_MS),
  QUEUE_REDIS_REPLICA_TTL_MS: '1000',
};

let a: Replica;
let b: Replica;
const extra: Replica[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([startQueueReplica('queue-a', env), startQueueReplica('queue-b', env)]);
});

afterAll(async () => {
  await Promise.all([a, b, ...extra].filter(Boolean).map((r) => r.stop()));
  await deleteKeys([keyPrefix]);
});

interface Call {
  readonly id: string;
  status: 'pending' | 'granted' | 'failed';
  leaseId?: string;
  error?: unknown;
}

function acquire(client: QueueClient, pool: string, tenant: string, priority: number, id: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Call {
  const call: Call = { id, status: 'pending' };
  client
    .acquire({ pool, tenant, priority, requestId: id }, { deadline: new Date(Date.now() + (opts.timeoutMs ?? 20_000)), signal: opts.signal })
    .then(
      (r) => Object.assign(call, { status: 'granted', leaseId: r.leaseId }),
      (error: unknown) => Object.assign(call, { status: 'failed', error }),
    );
  return call;
}

const until = (call: Call, status: Call['status'], timeoutMs = 5_000) =>
  waitUntil(() => call.status === status, `${call.id} to be ${status} (is ${call.status})`, timeoutMs, 2);

const waitingIs = (client: QueueClient, pool: string, n: number) =>
  waitUntil(async () => (await poolStats(client, pool)).waiting === n, `${n} waiting in ${pool}`, 5_000, 5);

/** Fills the pool's MAX slots through `client`; returns the calls holding them. */
async function fill(client: QueueClient, pool: string): Promise<Call[]> {
  const holders = Array.from({ length: MAX }, (_, i) => acquire(client, pool, 'holder', NORMAL, `holder-${i}`));
  for (const h of holders) await until(h, 'granted');
  return holders;
}

/**
 * Frees the slots one at a time and releases every grant as it happens, alternating replicas, so grants happen
 * strictly one after another. Returns the request ids in grant order.
 */
async function grantOrder(pool: string, holders: Call[], waiters: Call[]): Promise<string[]> {
  const order: string[] = [];
  const seen = new Set<Call>();
  const clients = [a.client, b.client];
  // The other MAX - 1 holders keep their slots, so exactly one slot is in play.
  await clients[0]!.release({ pool, leaseId: holders[0]!.leaseId! });
  for (let i = 0; i < waiters.length; i++) {
    await waitUntil(() => waiters.some((w) => w.status === 'granted' && !seen.has(w)), `grant ${i + 1}`, 5_000, 1);
    const next = waiters.find((w) => w.status === 'granted' && !seen.has(w))!;
    seen.add(next);
    order.push(next.id);
    await clients[i % 2]!.release({ pool, leaseId: next.leaseId! });
  }
  for (const h of holders.slice(1)) await a.client.release({ pool, leaseId: h.leaseId! });
  return order;
}

describe('two queue replicas sharing one pool through Redis', () => {
  it('never lets active leases exceed max_concurrent, as seen by the callers and by an observer', async () => {
    const pool = 'observed';
    let held = 0;
    let maxHeld = 0;
    let maxObserved = 0;
    let observing = true;
    const observer = (async () => {
      while (observing) {
        const [sa, sb] = await Promise.all([poolStats(a.client, pool), poolStats(b.client, pool)]);
        maxObserved = Math.max(maxObserved, sa.activeLeases, sb.activeLeases);
      }
    })();
    const work = Array.from({ length: 60 }, async (_, i) => {
      const client = i % 2 ? a.client : b.client;
      const lease = await client.acquire({ pool, tenant: `t${i % 3}`, priority: 1 + (i % 5), requestId: `r${i}` });
      // Counted from the moment the grant arrives until just before the release leaves: inside the lease's lifetime.
      maxHeld = Math.max(maxHeld, ++held);
      await new Promise((resolve) => setTimeout(resolve, 3 + (i % 7)));
      held--;
      await (i % 3 ? a.client : b.client).release({ pool, leaseId: lease.leaseId });
    });
    await Promise.all(work);
    observing = false;
    await observer;
    expect(maxHeld).toBeLessThanOrEqual(MAX);
    expect(maxObserved).toBeLessThanOrEqual(MAX);
    // The bound was actually reached, so the check above means something.
    expect(Math.max(maxHeld, maxObserved)).toBe(MAX);
    const stats = await poolStats(b.client, pool);
    expect(stats).toMatchObject({ activeLeases: 0, waiting: 0, grantedTotal: '60', releasedTotal: '60', backend: 'redis' });
  });

  it('grants in priority order, FIFO within a priority, whichever replica holds the call', async () => {
    const pool = 'ordered';
    const holders = await fill(a.client, pool);
    const plan: [QueueClient, number, string][] = [
      [b.client, LOW, 'low-1'],
      [a.client, NORMAL, 'normal-1'],
      [b.client, NORMAL, 'normal-2'],
      [a.client, CRITICAL, 'critical-1'],
      [b.client, LOW, 'low-2'],
      [a.client, NORMAL, 'normal-3'],
    ];
    const waiters: Call[] = [];
    for (const [client, priority, id] of plan) {
      waiters.push(acquire(client, pool, 'acme', priority, id));
      await waitingIs(a.client, pool, waiters.length);
    }
    expect(await grantOrder(pool, holders, waiters)).toEqual(['critical-1', 'normal-1', 'normal-2', 'normal-3', 'low-1', 'low-2']);
  });

  it('serves a flooding tenant and a light tenant at the same priority one for one while both wait', async () => {
    const pool = 'fair';
    const holders = await fill(b.client, pool);
    const waiters: Call[] = [];
    for (let i = 1; i <= 10; i++) waiters.push(acquire(i % 2 ? a.client : b.client, pool, 'flood', NORMAL, `flood-${i}`));
    await waitingIs(a.client, pool, 10);
    for (let i = 1; i <= 3; i++) waiters.push(acquire(b.client, pool, 'light', NORMAL, `light-${i}`));
    await waitingIs(a.client, pool, 13);
    const order = await grantOrder(pool, holders, waiters);
    expect(order.slice(0, 6).map((id) => id.split('-')[0])).toEqual(['flood', 'light', 'flood', 'light', 'flood', 'light']);
    expect(order.slice(6).every((id) => id.startsWith('flood'))).toBe(true);
  });

  it('answers DEADLINE_EXCEEDED when a waiter’s deadline passes, removes it, and never grants it', async () => {
    const pool = 'deadline';
    const holders = await fill(a.client, pool);
    const late = acquire(b.client, pool, 'acme', CRITICAL, 'late', { timeoutMs: 300 });
    await until(late, 'failed');
    expect(late.error).toBeInstanceOf(DeadlineExpired);
    await waitUntil(async () => (await poolStats(a.client, pool)).expiredTotal === '1', 'the server to count the expiry');
    expect(await poolStats(a.client, pool)).toMatchObject({ waiting: 0 });
    for (const h of holders) await a.client.release({ pool, leaseId: h.leaseId! });
    expect(await poolStats(b.client, pool)).toMatchObject({ activeLeases: 0, grantedTotal: String(MAX) });
  });

  it('takes a waiter out of the shared queue as soon as its caller cancels', async () => {
    const pool = 'cancel';
    const holders = await fill(a.client, pool);
    const controller = new AbortController();
    const gone = acquire(b.client, pool, 'acme', CRITICAL, 'gone', { signal: controller.signal });
    const stays = acquire(a.client, pool, 'acme', LOW, 'stays');
    await waitingIs(a.client, pool, 2);
    controller.abort();
    await until(gone, 'failed');
    expect(gone.error).toBeInstanceOf(Cancelled);
    await waitingIs(a.client, pool, 1);
    expect((await poolStats(a.client, pool)).cancelledTotal).toBe('1');
    await a.client.release({ pool, leaseId: holders[0]!.leaseId! });
    await until(stays, 'granted');
    for (const h of [...holders.slice(1), stays]) await b.client.release({ pool, leaseId: h.leaseId! });
  });

  it('gives back the slots of a gateway killed with SIGKILL while holding leases, within the lease TTL', async () => {
    const pool = 'sigkill';
    const fixture = path.join(__dirname, 'fixtures', 'hold-leases.cjs');
    const child: ChildProcess = spawn(process.execPath, [fixture, a.service.address, pool, String(MAX)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const held = await new Promise<string[]>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { held: string[] }).held));
      child.once('exit', (code) => reject(new Error(`hold-leases exited early with ${code}`)));
    });
    expect(held).toHaveLength(MAX);
    const waiter = acquire(b.client, pool, 'survivor', NORMAL, 'waiter');
    await waitingIs(b.client, pool, 1);
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await until(waiter, 'granted', LEASE_TTL_MS + 3_000);
    const stats = await poolStats(a.client, pool);
    expect(Number(stats.lapsedTotal)).toBeGreaterThanOrEqual(1);
    // Reported, not asserted as a timing: the lease TTL bounds it.
    console.info(`slot back ${Date.now() - killedAt} ms after SIGKILL (lease TTL ${LEASE_TTL_MS} ms)`);
    await b.client.release({ pool, leaseId: waiter.leaseId! });
    await waitUntil(async () => (await poolStats(a.client, pool)).activeLeases === 0, 'all doomed leases to lapse', LEASE_TTL_MS + 3_000);
  });

  it('drops the waiters of a queue replica killed with SIGKILL, and the others keep being served', async () => {
    const pool = 'replica-death';
    const c = await startQueueReplica('queue-c', env);
    extra.push(c);
    const holders = await fill(a.client, pool);
    const doomed = acquire(c.client, pool, 'acme', CRITICAL, 'on-dead-replica');
    const survivor = acquire(b.client, pool, 'acme', LOW, 'survivor');
    await waitingIs(a.client, pool, 2);
    process.kill(c.service.pid, 'SIGKILL');
    await c.service.exited;
    await until(doomed, 'failed');
    expect(doomed.error).toBeInstanceOf(Unavailable);
    await a.client.release({ pool, leaseId: holders[0]!.leaseId! });
    await until(survivor, 'granted');
    expect(await poolStats(a.client, pool)).toMatchObject({ waiting: 0, cancelledTotal: '1' });
    for (const h of [...holders.slice(1), survivor]) await a.client.release({ pool, leaseId: h.leaseId! });
  });
});
