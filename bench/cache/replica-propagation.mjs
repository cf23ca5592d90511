// How long a change made through one cache replica takes to reach another replica's index: two cache processes
// on one Redis; a Store through A, then B is polled (every 1 ms) until the paraphrase is a semantic hit; then an
// Invalidate through A and B polled until it misses. Traffic to 127.0.0.1 only; a fresh key prefix, deleted after.
// Build once first: npx nx run-many -t build
//
//   REDIS_URL=redis://127.0.0.1:6379 node bench/cache/replica-propagation.mjs [--rounds 200]
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarise } from './lib/synthetic-vectors.mjs';

const require = createRequire(import.meta.url);
const { startServiceProcess } = require('../../libs/local-stack/dist');
const { createClient } = require('../../libs/service-kit/dist');
const { cacheV1, gatewayV1 } = require('../../libs/contracts/dist');
const { Redis } = require('ioredis');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const i = process.argv.indexOf('--rounds');
const ROUNDS = i >= 0 ? Number(process.argv[i + 1]) : 200;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `switchyard:bench:cache:${randomUUID()}:`;
const { CACHE_STATUS_SEMANTIC: SEMANTIC, CACHE_STATUS_MISS: MISS } = gatewayV1.CacheStatus;

const key = (question) => ({ tenant: 'bench', model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }], temperature: 0, maxTokens: 0 });
const start = () =>
  startServiceProcess({ name: 'cache', dir: path.join(root, 'services', 'cache'), env: { GRPC_PORT: '0', REDIS_URL, CACHE_REDIS_KEY_PREFIX: PREFIX } });
const [a, b] = await Promise.all([start(), start()]);
const client = (p) => createClient(cacheV1.CacheServiceService, p.address, { dependency: 'cache', defaultTimeoutMs: 5_000 });
const [ca, cb] = [client(a), client(b)];
const until = async (condition) => {
  const t0 = process.hrtime.bigint();
  for (;;) {
    if (await condition()) return Number(process.hrtime.bigint() - t0) / 1e6;
    if (Number(process.hrtime.bigint() - t0) > 5e9) throw new Error('no propagation within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
};
try {
  const stored = [];
  const invalidated = [];
  for (let n = 0; n < ROUNDS; n++) {
    const question = `How many moons does planet ${n} of system ${randomUUID().slice(0, 8)} have?`;
    const paraphrase = `how many moons does planet ${n} of system ${question.split('system ')[1].split(' ')[0]} have`;
    const t0 = process.hrtime.bigint();
    await ca.store({ key: key(question), content: `answer ${n}`, usage: { inputTokens: 1, outputTokens: 1 }, ttlSeconds: 0 });
    const storeMs = Number(process.hrtime.bigint() - t0) / 1e6;
    stored.push(storeMs + (await until(async () => (await cb.lookup({ key: key(paraphrase), similarityThreshold: 0 })).status === SEMANTIC)));
    const hit = await cb.lookup({ key: key(paraphrase), similarityThreshold: 0 });
    const t1 = process.hrtime.bigint();
    await ca.invalidate({ tenant: 'bench', target: { $case: 'entryKey', value: hit.entryKey } });
    const invalidateMs = Number(process.hrtime.bigint() - t1) / 1e6;
    invalidated.push(invalidateMs + (await until(async () => (await cb.lookup({ key: key(paraphrase), similarityThreshold: 0 })).status === MISS)));
  }
  const show = (samples) => {
    const s = summarise(samples);
    return { p50Ms: +s.p50.toFixed(2), p99Ms: +s.p99.toFixed(2), maxMs: +s.max.toFixed(2) };
  };
  console.log(`# replica propagation, 2 cache processes + Redis on 127.0.0.1, ${ROUNDS} rounds, node ${process.version}, ` +
    `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${new Date().toISOString()}`);
  console.log(JSON.stringify({ storeThroughAToSemanticHitOnB: show(stored), invalidateThroughAToMissOnB: show(invalidated) }));
} finally {
  ca.close();
  cb.close();
  await Promise.all([a.stop(), b.stop()]);
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}
