import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { ResourceExhausted, Unavailable } from '@switchyard/service-kit/errors';
import { waitUntil } from '@switchyard/testing';
import { Priority, type AdmissionConfig, type AdmissionEvent } from '../src/admission';
import { createLocalFallback, RedisAdmissionController, type RedisFailureMode } from '../src/store';
import { REDIS_URL, deleteKeys, testLogger } from './support/admission-backends';
import { freePort } from './support/free-port';
import { grantedIds, poolClient, waitForStatus, waitForWaiting } from './support/tracking';

/** Behaviour only the Redis store has: several replicas, replica death, and Redis outages. */
const POOL = 'shared';
const config: AdmissionConfig = {
  defaults: { maxConcurrent: 1, maxQueueSize: 100, leaseTtlMs: 30_000 },
  retryHint: { minMs: 10, maxMs: 5_000, initialHoldMs: 100 },
};

const open: RedisAdmissionController[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await deleteKeys(prefixes.splice(0));
});

function replica(
  keyPrefix: string,
  events: AdmissionEvent[],
  options: { url?: string; failureMode?: RedisFailureMode; fallbackReplicas?: number; config?: AdmissionConfig } = {},
) {
  const cfg = options.config ?? config;
  const failureMode = options.failureMode ?? 'fail-closed';
  const onEvent = (e: AdmissionEvent) => events.push(e);
  const controller = new RedisAdmissionController({
    url: options.url ?? REDIS_URL,
    keyPrefix,
    config: cfg,
    failureMode,
    fallback: failureMode === 'local' ? createLocalFallback(cfg, options.fallbackReplicas ?? 1, onEvent) : undefined,
    replicaTtlMs: 2_000,
    commandTimeoutMs: 1_000,
    logger: testLogger,
    onEvent,
  });
  open.push(controller);
  return controller;
}

async function twoReplicas() {
  const keyPrefix = `switchyard-test:queue:${randomUUID()}`;
  prefixes.push(keyPrefix);
  const events: AdmissionEvent[] = [];
  const a = replica(keyPrefix, events);
  const b = replica(keyPrefix, events);
  expect(await a.start(5_000)).toBe(true);
  expect(await b.start(5_000)).toBe(true);
  return { a, b, events, keyPrefix };
}

/** Kills a replica's Redis connections from the server side, as a network cut or a Redis failover would. */
async function killConnectionsOf(controller: RedisAdmissionController): Promise<number> {
  const admin = new Redis(REDIS_URL);
  try {
    const list = (await admin.client('LIST')) as string;
    const ids = list
      .split('\n')
      .filter((line) => line.includes(`name=switchyard-queue:${controller.replicaId}:`))
      .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1] as string);
    for (const id of ids) await admin.client('KILL', 'ID', id);
    return ids.length;
  } finally {
    admin.disconnect();
  }
}

describe('Redis admission store', () => {
  it('shares one pool between replicas: a slot freed on one is granted to a waiter held by the other', async () => {
    const { a, b, events } = await twoReplicas();
    const onA = poolClient(a, POOL);
    const onB = poolClient(b, POOL);
    const holder = onA.acquire('t', Priority.NORMAL, 'holder');
    await waitForStatus(holder, 'granted');
    const normal = onA.acquire('t', Priority.NORMAL, 'normal-on-a');
    const critical = onB.acquire('t', Priority.CRITICAL, 'critical-on-b');
    await waitForWaiting(onA.stats, 2);
    expect((await onB.stats()).replicas).toBe(2);
    await onA.release(holder);
    await waitForStatus(critical, 'granted');
    expect(normal.status).toBe('pending');
    // A lease is the pool's, not the replica's: released through A although B granted it.
    expect(await a.release(POOL, critical.grant?.leaseId as string)).toBe(true);
    await waitForStatus(normal, 'granted');
    expect(grantedIds(events)).toEqual(['holder', 'critical-on-b', 'normal-on-a']);
  });

  it('drops a waiter whose replica lost its connection instead of granting a lease nobody would release', async () => {
    const { a, b } = await twoReplicas();
    const onA = poolClient(a, POOL);
    const holder = onA.acquire('t', Priority.NORMAL, 'holder');
    await waitForStatus(holder, 'granted');
    poolClient(b, POOL).acquire('t', Priority.CRITICAL, 'on-dying-replica');
    const survivor = onA.acquire('t', Priority.LOW, 'survivor');
    await waitForWaiting(onA.stats, 2);
    // Simulate a crash of B: its connections close without it saying goodbye.
    (b as any).link.closing = true;
    (b as any).link.command.disconnect();
    (b as any).link.subscriber.disconnect();
    await waitUntil(async () => (await onA.stats()).replicas >= 1 && (b as any).link.command.status === 'end', 'B to be gone');
    await onA.release(holder);
    await waitForStatus(survivor, 'granted');
    expect((await onA.stats()).counters).toMatchObject({ granted: 2, cancelled: 1 });
  });

  it('fails closed: UNAVAILABLE for every call while Redis cannot be reached, never an unlimited grant', async () => {
    const events: AdmissionEvent[] = [];
    const controller = replica(`switchyard-test:queue:${randomUUID()}`, events, { url: `redis://127.0.0.1:${await freePort()}` });
    expect(await controller.start(300)).toBe(false);
    const q = poolClient(controller, POOL);
    const attempt = q.acquire('t', Priority.CRITICAL, 'r');
    await waitForStatus(attempt, 'failed');
    expect(attempt.error).toBeInstanceOf(Unavailable);
    expect((attempt.error as Unavailable).retryAfterMs).toBeGreaterThan(0);
    await expect(controller.release(POOL, 'some-lease')).rejects.toBeInstanceOf(Unavailable);
    await expect(controller.renew(POOL, 'some-lease')).rejects.toBeInstanceOf(Unavailable);
    await expect(controller.stats(POOL)).rejects.toBeInstanceOf(Unavailable);
  });

  it('falls back to a per-replica share of the limit in local mode while Redis cannot be reached', async () => {
    const events: AdmissionEvent[] = [];
    const controller = replica(`switchyard-test:queue:${randomUUID()}`, events, {
      url: `redis://127.0.0.1:${await freePort()}`,
      failureMode: 'local',
      fallbackReplicas: 2,
      config: { ...config, defaults: { ...config.defaults, maxConcurrent: 4 } },
    });
    expect(await controller.start(300)).toBe(false);
    const q = poolClient(controller, POOL);
    const first = q.acquire('t', Priority.NORMAL, 'first');
    const second = q.acquire('t', Priority.NORMAL, 'second');
    const third = q.acquire('t', Priority.NORMAL, 'third');
    await waitForStatus(second, 'granted');
    expect(await q.stats()).toMatchObject({ backend: 'local-fallback', maxConcurrent: 2, activeLeases: 2, waiting: 1 });
    expect(third.status).toBe('pending');
    expect(first.grant?.leaseId).toMatch(/^local-/);
    expect(await q.release(first)).toBe(true);
    await waitForStatus(third, 'granted');
  });

  it.each(['fail-closed', 'local'] as const)(
    'answers waiters at once when its connection drops (%s), and leaves nothing behind in Redis after reconnecting',
    async (failureMode) => {
      const keyPrefix = `switchyard-test:queue:${randomUUID()}`;
      prefixes.push(keyPrefix);
      const events: AdmissionEvent[] = [];
      const observer = replica(keyPrefix, events);
      const victim = replica(keyPrefix, events, { failureMode });
      await observer.start(5_000);
      await victim.start(5_000);
      const onObserver = poolClient(observer, POOL);
      const onVictim = poolClient(victim, POOL);
      const holder = onObserver.acquire('t', Priority.NORMAL, 'holder');
      await waitForStatus(holder, 'granted');
      const waiter = onVictim.acquire('t', Priority.HIGH, 'waiter', { deadlineMs: Date.now() + 20_000 });
      await waitForWaiting(onObserver.stats, 1);

      expect(await killConnectionsOf(victim)).toBe(2);
      if (failureMode === 'fail-closed') {
        await waitForStatus(waiter, 'failed');
        expect(waiter.error).toBeInstanceOf(Unavailable);
      } else {
        // Handed to the local fallback (a slot of its own), where it is granted at once.
        await waitForStatus(waiter, 'granted');
        expect(waiter.grant?.leaseId).toMatch(/^local-/);
        expect(await onVictim.release(waiter)).toBe(true);
      }
      // Back online, the victim removes its orphaned waiter record before taking work again.
      await waitUntil(() => victim.connected, 'victim to reconnect', 5_000);
      expect(await onObserver.stats()).toMatchObject({ waiting: 0, activeLeases: 1 });
      await onObserver.release(holder);
      const again = onVictim.acquire('t', Priority.NORMAL, 'after-reconnect');
      await waitForStatus(again, 'granted');
      expect(await onVictim.release(again)).toBe(true);
    },
  );

  it('reports a full fleet-wide queue with a retry hint from any replica', async () => {
    const { a, b } = await twoReplicas();
    const onA = poolClient(a, POOL);
    const onB = poolClient(b, POOL);
    const holder = onA.acquire('t', Priority.NORMAL, 'holder');
    await waitForStatus(holder, 'granted');
    const many = Array.from({ length: 100 }, (_, i) => (i % 2 ? onA : onB).acquire(`t${i % 4}`, Priority.BULK, `w${i}`));
    await waitForWaiting(onA.stats, 100);
    const refused = onB.acquire('t0', Priority.BULK, 'one-too-many');
    await waitForStatus(refused, 'failed');
    expect(refused.error).toBeInstanceOf(ResourceExhausted);
    expect(many.every((w) => w.status === 'pending')).toBe(true);
    expect((await onB.stats()).depthByTenant).toEqual([
      { tenant: 't0', depth: 25 },
      { tenant: 't1', depth: 25 },
      { tenant: 't2', depth: 25 },
      { tenant: 't3', depth: 25 },
    ]);
  });
});
