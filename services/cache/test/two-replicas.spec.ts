// Bounds here are generous so a loaded CI machine does not flake; how fast changes really propagate is measured
// by bench/cache/replica-propagation.mjs (docs/benchmarks.md).
import path from 'node:path';
import { cacheV1, gatewayV1 } from '@switchyard/contracts';
import { startServiceProcess, type RunningService } from '@switchyard/local-stack';
import { createClient, type PromiseClient } from '@switchyard/service-kit';
import { waitUntil } from '@switchyard/testing';
import { deleteKeys, REDIS_URL, uniquePrefix } from './support/redis';

jest.setTimeout(60_000);

type CacheClient = PromiseClient<typeof cacheV1.CacheServiceService>;
interface Replica {
  process: RunningService;
  client: CacheClient;
}

const SERVICE_DIR = path.resolve(__dirname, '..');
const PREFIX = uniquePrefix('replicas');
const { SEMANTIC, EXACT, MISS } = {
  SEMANTIC: gatewayV1.CacheStatus.CACHE_STATUS_SEMANTIC,
  EXACT: gatewayV1.CacheStatus.CACHE_STATUS_EXACT,
  MISS: gatewayV1.CacheStatus.CACHE_STATUS_MISS,
};
const QUESTION = 'What is the capital of France?';
const PARAPHRASE = "what's the capital of france";
const USAGE = { inputTokens: 7, outputTokens: 1 };

const key = (tenant: string, question: string, system = 'You are a geography tutor.'): cacheV1.CacheKeyInput => ({
  tenant,
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: system },
    { role: 'user', content: question },
  ],
  temperature: 0,
  maxTokens: 64,
});

async function startReplica(prefix: string, env: Record<string, string> = {}): Promise<Replica> {
  const process = await startServiceProcess({
    name: 'cache',
    dir: SERVICE_DIR,
    env: { GRPC_PORT: '0', REDIS_URL, CACHE_REDIS_KEY_PREFIX: prefix, ...env },
  });
  return { process, client: createClient(cacheV1.CacheServiceService, process.address, { dependency: 'cache', defaultTimeoutMs: 5_000 }) };
}

async function stop(replica: Replica | undefined): Promise<void> {
  replica?.client.close();
  await replica?.process.stop();
}

const statusOf = async (replica: Replica, k: cacheV1.CacheKeyInput) => (await replica.client.lookup({ key: k, similarityThreshold: 0 })).status;

describe('two cache replicas sharing one Redis, as separate processes', () => {
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    [a, b] = await Promise.all([startReplica(PREFIX), startReplica(PREFIX)]);
  });

  afterAll(async () => {
    await Promise.all([stop(a), stop(b)]);
    await deleteKeys(PREFIX);
  });

  it('answers an entry stored through one replica from the other: exactly at once, semantically once the change stream arrives', async () => {
    await a.client.store({ key: key('t-share', QUESTION), content: 'Paris', usage: USAGE, ttlSeconds: 0 });
    expect(await b.client.lookup({ key: key('t-share', QUESTION), similarityThreshold: 0 })).toMatchObject({ status: EXACT, content: 'Paris', similarity: 1 });
    await waitUntil(async () => (await statusOf(b, key('t-share', PARAPHRASE))) === SEMANTIC, 'replica b answers the paraphrase', 5_000);
    const hit = await b.client.lookup({ key: key('t-share', PARAPHRASE), similarityThreshold: 0 });
    expect(hit).toMatchObject({ content: 'Paris', usage: USAGE });
    expect(hit.similarity).toBeGreaterThanOrEqual(0.95);
    expect(await statusOf(b, key('t-share', 'What is the capital of Germany?'))).toBe(MISS);
  });

  it("keeps tenants and contexts apart in both tiers, whichever replica stored the entry", async () => {
    await a.client.store({ key: key('t-iso-a', QUESTION), content: 'Paris', usage: USAGE, ttlSeconds: 0 });
    await waitUntil(async () => (await statusOf(b, key('t-iso-a', PARAPHRASE))) === SEMANTIC, 'replica b indexes the entry', 5_000);
    for (const replica of [a, b]) {
      expect(await statusOf(replica, key('t-iso-b', QUESTION))).toBe(MISS);
      expect(await statusOf(replica, key('t-iso-b', PARAPHRASE))).toBe(MISS);
      expect(await statusOf(replica, key('t-iso-a', QUESTION, 'You are a pirate.'))).toBe(MISS);
      expect(await statusOf(replica, key('t-iso-a', PARAPHRASE, 'You are a pirate.'))).toBe(MISS);
    }
  });

  it('lets an entry expire on both replicas, in both tiers', async () => {
    await a.client.store({ key: key('t-ttl', QUESTION), content: 'Paris', usage: USAGE, ttlSeconds: 1 });
    await waitUntil(async () => (await statusOf(b, key('t-ttl', PARAPHRASE))) === SEMANTIC, 'replica b indexes the entry', 5_000);
    await waitUntil(
      async () => {
        const statuses = await Promise.all([a, b].flatMap((r) => [statusOf(r, key('t-ttl', QUESTION)), statusOf(r, key('t-ttl', PARAPHRASE))]));
        return statuses.every((s) => s === MISS);
      },
      'both replicas stop answering once the TTL passed',
      5_000,
    );
  });

  it('carries an invalidation by entry, scope and tenant to the other replica through the change stream', async () => {
    const other = 'What is the capital of Spain?';
    for (const question of [QUESTION, other, 'Which river flows through Paris?']) {
      await a.client.store({ key: key('t-inv', question), content: 'answer', usage: USAGE, ttlSeconds: 0 });
    }
    await a.client.store({ key: key('t-inv', QUESTION, 'You are a pirate.'), content: 'Arr, Paris', usage: USAGE, ttlSeconds: 0 });
    await waitUntil(async () => (await statusOf(b, key('t-inv', PARAPHRASE))) === SEMANTIC, 'replica b indexes the entry', 5_000);

    const hit = await b.client.lookup({ key: key('t-inv', PARAPHRASE), similarityThreshold: 0 });
    expect(await a.client.invalidate({ tenant: 't-inv', target: { $case: 'entryKey', value: hit.entryKey } })).toEqual({ removed: '1' });
    await waitUntil(async () => (await statusOf(b, key('t-inv', PARAPHRASE))) === MISS, 'replica b forgets the entry', 5_000);

    expect(await a.client.invalidate({ tenant: 't-inv', target: { $case: 'scopeOf', value: key('t-inv', 'anything') } })).toEqual({ removed: '2' });
    await waitUntil(async () => (await statusOf(b, key('t-inv', other))) === MISS, 'replica b forgets the scope', 5_000);
    expect(await statusOf(b, key('t-inv', QUESTION, 'You are a pirate.'))).toBe(EXACT);

    expect(await a.client.invalidate({ tenant: 't-inv', target: { $case: 'all', value: true } })).toEqual({ removed: '1' });
    expect(await statusOf(b, key('t-inv', QUESTION, 'You are a pirate.'))).toBe(MISS);
    expect((await b.client.stats({ tenant: 't-inv' })).entries).toBe('0');
  });

  it('rebuilds the index from Redis when a replica restarts', async () => {
    await stop(b);
    await a.client.store({ key: key('t-restart', QUESTION), content: 'Paris', usage: USAGE, ttlSeconds: 0 });
    b = await startReplica(PREFIX);
    // No waiting: the index is rebuilt before the replica reports ready.
    expect(await b.client.lookup({ key: key('t-restart', PARAPHRASE), similarityThreshold: 0 })).toMatchObject({ status: SEMANTIC, content: 'Paris' });
    expect(Number((await b.client.stats({ tenant: '' })).indexVectors)).toBeGreaterThan(0);
  });

  it('rejects an invalidation without a target, naming the field', async () => {
    await expect(a.client.invalidate({ tenant: 't-inv', target: undefined })).rejects.toMatchObject({ message: expect.stringContaining('target') });
  });
});

describe('eviction with two replicas', () => {
  const prefix = uniquePrefix('eviction');
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    const env = { CACHE_TENANT_MAX_ENTRIES: '5' };
    [a, b] = await Promise.all([startReplica(prefix, env), startReplica(prefix, env)]);
  });

  afterAll(async () => {
    await Promise.all([stop(a), stop(b)]);
    await deleteKeys(prefix);
  });

  it("keeps each tenant within its bound whichever replica stores, and evicts from both replicas' indexes", async () => {
    const question = (i: number) => `How many moons does planet number ${i} have?`;
    for (let i = 0; i < 12; i++) {
      await (i % 2 ? b : a).client.store({ key: key('t-bound', question(i)), content: `answer ${i}`, usage: USAGE, ttlSeconds: 0 });
    }
    for (const replica of [a, b]) {
      const stats = await replica.client.stats({ tenant: 't-bound' });
      expect(stats).toMatchObject({ entries: '5', evictions: '7' });
    }
    await waitUntil(async () => Number((await b.client.stats({ tenant: '' })).indexVectors) === 5, 'replica b indexes only the survivors', 5_000);
    expect(Number((await a.client.stats({ tenant: '' })).indexVectors)).toBe(5);
    for (const replica of [a, b]) {
      expect(await statusOf(replica, key('t-bound', question(0)))).toBe(MISS);
      expect(await statusOf(replica, key('t-bound', question(11)))).toBe(EXACT);
    }
  });
});
