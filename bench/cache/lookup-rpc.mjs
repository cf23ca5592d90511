// What the gateway sees: Lookup latency through gRPC against one cache process backed by Redis, for exact hits,
// semantic hits and misses, with N entries stored first through the Store RPC. Traffic goes to 127.0.0.1 only;
// the run uses a fresh key prefix and deletes its keys at the end. Build once first: npx nx run-many -t build
//
//   REDIS_URL=redis://127.0.0.1:6379 node bench/cache/lookup-rpc.mjs [--entries 10000] [--lookups 2000]
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
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const ENTRIES = Number(arg('entries', '10000'));
const LOOKUPS = Number(arg('lookups', '2000'));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `switchyard:bench:cache:${randomUUID()}:`;

const SUBJECTS = ['France', 'Germany', 'Japan', 'Brazil', 'Canada', 'Kenya', 'Norway', 'Peru', 'India', 'Egypt'];
const ASPECTS = ['capital', 'population', 'currency', 'largest city', 'official language', 'national dish', 'highest mountain', 'longest river'];
// Ten scopes (system prompts), as ten assistants of one tenant would have.
const key = (i, text) => ({
  tenant: 'bench',
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: `You are assistant number ${i % 10}.` },
    { role: 'user', content: text },
  ],
  temperature: 0,
  maxTokens: 0,
});
const question = (i) => `What was the ${ASPECTS[i % ASPECTS.length]} of ${SUBJECTS[Math.floor(i / ASPECTS.length) % SUBJECTS.length]} in ${1000 + Math.floor(i / 80)}?`;
const paraphrase = (i) => `Hi, can you tell me ${question(i).toLowerCase()}`;

const process_ = await startServiceProcess({
  name: 'cache',
  dir: path.join(root, 'services', 'cache'),
  env: { GRPC_PORT: '0', REDIS_URL, CACHE_REDIS_KEY_PREFIX: PREFIX, CACHE_MAX_ENTRIES: String(ENTRIES * 2), CACHE_TENANT_MAX_ENTRIES: String(ENTRIES * 2) },
});
const client = createClient(cacheV1.CacheServiceService, process_.address, { dependency: 'cache', defaultTimeoutMs: 10_000 });
try {
  const storeStarted = Date.now();
  for (let i = 0; i < ENTRIES; i += 32) {
    await Promise.all(
      Array.from({ length: Math.min(32, ENTRIES - i) }, (_, j) =>
        client.store({ key: key(i + j, question(i + j)), content: `answer ${i + j}`, usage: { inputTokens: 10, outputTokens: 5 }, ttlSeconds: 0 }),
      ),
    );
  }
  const storeSeconds = (Date.now() - storeStarted) / 1000;
  const measure = async (make, expected) => {
    const samples = [];
    let right = 0;
    for (let n = 0; n < LOOKUPS; n++) {
      const i = Math.floor((n * 7919) % ENTRIES);
      const t0 = process.hrtime.bigint();
      const result = await client.lookup({ key: make(i), similarityThreshold: 0 });
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (result.status === expected) right++;
    }
    const s = summarise(samples);
    return { p50Ms: +s.p50.toFixed(3), p99Ms: +s.p99.toFixed(3), expectedStatus: `${right}/${LOOKUPS}` };
  };
  const { CACHE_STATUS_EXACT: EXACT, CACHE_STATUS_SEMANTIC: SEMANTIC, CACHE_STATUS_MISS: MISS } = gatewayV1.CacheStatus;
  const exact = await measure((i) => key(i, question(i)), EXACT);
  const semantic = await measure((i) => key(i, paraphrase(i)), SEMANTIC);
  const miss = await measure((i) => key(i, `What was the ${ASPECTS[i % ASPECTS.length]} of Atlantis in ${3000 + i}?`), MISS);
  const stats = await client.stats({ tenant: '' });
  console.log(`# Lookup over gRPC, one cache process + Redis, ${ENTRIES} entries in 10 scopes, ${LOOKUPS} sequential lookups per kind, ` +
    `node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model}, ${new Date().toISOString()}`);
  console.log(JSON.stringify({ entries: Number(stats.entries), storeSeconds, exact, semantic, miss, indexVectors: Number(stats.indexVectors) }));
} finally {
  client.close();
  await process_.stop();
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}
