import { Unavailable } from '@switchyard/service-kit/errors';
import { waitUntil } from '@switchyard/testing';
import { OwnRedis } from './support/own-redis';
import { poolStats, startQueueReplica, type QueueClient, type Replica } from './support/queue-replicas';

/**
 * Redis killed and restarted (empty) under two queue replicas as processes: one failing closed, one falling back
 * to local limits. Documented outcome (docs/queue.md): waiters are answered at once, nobody is stuck, admission is
 * never unlimited, and after the restart both replicas admit through Redis again.
 */
jest.setTimeout(30_000);

const POOL = 'restart';
let redis: OwnRedis;
let closed: Replica;
let local: Replica;

beforeAll(async () => {
  redis = await OwnRedis.start();
  const env = { REDIS_URL: redis.url, QUEUE_MAX_CONCURRENT: '2', QUEUE_LEASE_TTL_MS: '60000', QUEUE_REDIS_COMMAND_TIMEOUT_MS: '500' };
  [closed, local] = await Promise.all([
    startQueueReplica('queue-fail-closed', { ...env, QUEUE_REDIS_FAILURE_MODE: 'fail-closed' }),
    startQueueReplica('queue-local', { ...env, QUEUE_REDIS_FAILURE_MODE: 'local', QUEUE_REDIS_FALLBACK_REPLICAS: '2' }),
  ]);
});

afterAll(async () => {
  await Promise.all([closed, local].filter(Boolean).map((r) => r.stop()));
  await redis?.stop();
});

interface Call {
  status: 'pending' | 'granted' | 'failed';
  leaseId?: string;
  error?: unknown;
}

function acquire(client: QueueClient, id: string, timeoutMs = 20_000): Call {
  const call: Call = { status: 'pending' };
  client.acquire({ pool: POOL, tenant: 'acme', priority: 3, requestId: id }, { deadline: new Date(Date.now() + timeoutMs) }).then(
    (r) => Object.assign(call, { status: 'granted', leaseId: r.leaseId }),
    (error: unknown) => Object.assign(call, { status: 'failed', error }),
  );
  return call;
}

const until = (call: Call, status: Call['status'], what: string, timeoutMs = 5_000) =>
  waitUntil(() => call.status === status, `${what} to be ${status} (is ${call.status})`, timeoutMs, 5);

it('answers every waiter when Redis dies, refuses or limits locally during the outage, and recovers after a restart', async () => {
  const holders = [acquire(closed.client, 'h1'), acquire(closed.client, 'h2')];
  for (const [i, h] of holders.entries()) await until(h, 'granted', `holder ${i}`);
  const waitsOnClosed = acquire(closed.client, 'w-closed');
  const waitsOnLocal = acquire(local.client, 'w-local');
  await waitUntil(async () => (await poolStats(closed.client, POOL)).waiting === 2, 'two waiters');

  await redis.kill();

  // Fail-closed replica: its waiter is answered UNAVAILABLE at once, and so is every new call.
  await until(waitsOnClosed, 'failed', 'the fail-closed waiter');
  expect(waitsOnClosed.error).toBeInstanceOf(Unavailable);
  const refused = acquire(closed.client, 'during-outage');
  await until(refused, 'failed', 'an acquire during the outage');
  expect(refused.error).toBeInstanceOf(Unavailable);

  // Local replica: its waiter moves to the local fallback, which admits floor(2 / 2) = 1 at a time.
  await until(waitsOnLocal, 'granted', 'the local waiter');
  expect(waitsOnLocal.leaseId).toMatch(/^local-/);
  const queuedLocally = acquire(local.client, 'queued-locally');
  await waitUntil(async () => (await poolStats(local.client, POOL)).waiting === 1, 'a local waiter');
  expect(await poolStats(local.client, POOL)).toMatchObject({ backend: 'local-fallback', maxConcurrent: 1, activeLeases: 1 });

  await redis.restart();

  // Both replicas admit through Redis again: the restarted Redis is empty, so the old leases are gone with it.
  await waitUntil(async () => {
    const probe = await closed.client.stats({ pool: POOL }).catch(() => undefined);
    return probe?.pools[0]?.backend === 'redis';
  }, 'the fail-closed replica to reconnect', 10_000, 50);
  await waitUntil(async () => (await poolStats(local.client, POOL)).backend === 'redis', 'the local replica to reconnect', 10_000, 50);
  expect(await closed.client.release({ pool: POOL, leaseId: holders[0]!.leaseId! })).toEqual({ released: false });
  const afterRestart = acquire(closed.client, 'after-restart');
  await until(afterRestart, 'granted', 'an acquire after the restart');

  // The waiter still in the local fallback is not stuck: it is granted when the local lease is released.
  expect(queuedLocally.status).toBe('pending');
  expect(await local.client.release({ pool: POOL, leaseId: waitsOnLocal.leaseId! })).toEqual({ released: true });
  await until(queuedLocally, 'granted', 'the locally queued waiter');
  expect(await local.client.release({ pool: POOL, leaseId: queuedLocally.leaseId! })).toEqual({ released: true });
  expect(await closed.client.release({ pool: POOL, leaseId: afterRestart.leaseId! })).toEqual({ released: true });
  expect(await poolStats(closed.client, POOL)).toMatchObject({ backend: 'redis', activeLeases: 0, waiting: 0 });
});
