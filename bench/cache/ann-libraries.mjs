// Compares the two in-process ANN libraries the cache could use (usearch, hnswlib-node) on the same
// synthetic 384-d data: build time, memory, single-query latency and recall@1 against the exact scan.
// Each configuration runs in its own child process so resident memory is measured cleanly.
//
//   node --expose-gc bench/cache/ann-libraries.mjs [--sizes 100000] [--queries 1000]
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { clusteredVectors, queries as makeQueries, summarise } from './lib/synthetic-vectors.mjs';

const require = createRequire(import.meta.url);
const DIMS = 384;

const CONFIGS = [
  { lib: 'hnswlib-node', m: 16, efConstruction: 128, ef: 64 },
  { lib: 'hnswlib-node', m: 16, efConstruction: 128, ef: 128 },
  { lib: 'usearch', quantization: 'f32', m: 16, efConstruction: 128, ef: 64 },
  { lib: 'usearch', quantization: 'f16', m: 16, efConstruction: 128, ef: 64 },
  { lib: 'usearch', quantization: 'i8', m: 16, efConstruction: 128, ef: 64 },
  { lib: 'usearch', quantization: 'f16', m: 16, efConstruction: 128, ef: 128 },
];

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function rssMb() {
  global.gc?.();
  return process.memoryUsage().rss / 2 ** 20;
}

function groundTruth(data, queryVectors, count) {
  const usearch = require('usearch');
  // usearch's SIMD exact search (all cores) gives the true top-1 quickly even at 1M vectors.
  const result = usearch.exactSearch(data, queryVectors, DIMS, 1, 'ip', 0);
  const truth = [];
  for (let q = 0; q < count; q++) truth.push(Number(result.keys[q]));
  return truth;
}

function dot(data, index, query) {
  let sum = 0;
  const base = index * DIMS;
  for (let i = 0; i < DIMS; i++) sum += data[base + i] * query[i];
  return sum;
}

function buildIndex(config, data, count) {
  if (config.lib === 'hnswlib-node') {
    const { HierarchicalNSW } = require('hnswlib-node');
    const index = new HierarchicalNSW('ip', DIMS);
    index.initIndex({ maxElements: count, m: config.m, efConstruction: config.efConstruction, randomSeed: 100 });
    index.setEf(config.ef);
    for (let n = 0; n < count; n++) index.addPoint(Array.from(data.subarray(n * DIMS, (n + 1) * DIMS)), n);
    return {
      search(query, k) {
        const result = index.searchKnn(Array.from(query), k);
        return result.neighbors;
      },
    };
  }
  const usearch = require('usearch');
  const index = new usearch.Index({
    dimensions: DIMS,
    metric: 'cos',
    quantization: config.quantization,
    connectivity: config.m,
    expansion_add: config.efConstruction,
    expansion_search: config.ef,
    multi: false,
  });
  // One vector per call with one thread: that is how the cache adds entries as they are stored.
  const key = new BigUint64Array(1);
  for (let n = 0; n < count; n++) {
    key[0] = BigInt(n);
    index.add(key, data.subarray(n * DIMS, (n + 1) * DIMS), 1);
  }
  return {
    search(query, k) {
      const result = index.search(query, k, 1);
      return Array.from(result.keys, Number);
    },
  };
}

function child(config) {
  const { count, queryCount } = config;
  const { data, centres } = clusteredVectors({ count, dims: DIMS, clusters: Math.max(100, Math.round(count / 500)) });
  const { queries, kinds } = makeQueries({ data, centres, dims: DIMS, count: queryCount });
  const truth = groundTruth(data, queries, queryCount);
  const before = rssMb();
  const started = process.hrtime.bigint();
  const index = buildIndex(config, data, count);
  const buildMs = Number(process.hrtime.bigint() - started) / 1e6;
  const after = rssMb();
  const latencies = [];
  let top1 = 0;
  let reranked = 0;
  let nearTop1 = 0;
  let nearCount = 0;
  for (let q = 0; q < queryCount; q++) {
    const query = queries.subarray(q * DIMS, (q + 1) * DIMS);
    const t0 = process.hrtime.bigint();
    const keys = index.search(query, 4);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const best = dot(data, truth[q], query);
    // A tie (same cosine) with the exact answer counts as found: either entry is an equally right hit.
    const found = (key) => key === truth[q] || Math.abs(dot(data, key, query) - best) < 1e-6;
    if (keys.length > 0 && found(keys[0])) top1++;
    if (kinds[q] === 'near') {
      nearCount++;
      if (keys.length > 0 && found(keys[0])) nearTop1++;
    }
    const rerankedBest = keys.reduce((a, b) => (dot(data, b, query) > dot(data, a, query) ? b : a), keys[0]);
    if (keys.length > 0 && found(rerankedBest)) reranked++;
  }
  const latency = summarise(latencies);
  return {
    ...config,
    buildSeconds: +(buildMs / 1000).toFixed(1),
    indexMb: +(after - before).toFixed(1),
    bytesPerVector: Math.round(((after - before) * 2 ** 20) / count),
    p50Ms: +latency.p50.toFixed(3),
    p99Ms: +latency.p99.toFixed(3),
    recallAt1: +(top1 / queryCount).toFixed(3),
    recallAt1NearDuplicates: +(nearTop1 / nearCount).toFixed(3),
    recallAt1Reranked4: +(reranked / queryCount).toFixed(3),
  };
}

if (process.argv.includes('--child')) {
  const config = JSON.parse(arg('child'));
  process.stdout.write(JSON.stringify(child(config)) + '\n');
} else {
  const sizes = arg('sizes', '100000').split(',').map(Number);
  const queryCount = Number(arg('queries', '1000'));
  const only = arg('only');
  const self = fileURLToPath(import.meta.url);
  console.log(`# ANN libraries, ${DIMS} dims, ${queryCount} queries (half near-duplicates), node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${new Date().toISOString()}`);
  for (const count of sizes) {
    for (const config of CONFIGS.filter((c) => !only || c.lib === only)) {
      const out = execFileSync(process.execPath, ['--expose-gc', self, '--child', JSON.stringify({ ...config, count, queryCount })], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
        timeout: 30 * 60_000,
      });
      console.log(out.trim());
    }
  }
}
