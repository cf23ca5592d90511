// Semantic lookup at scale: the cache's own per-scope index (services/cache/dist/vector-index, usearch HNSW
// with i8 vectors, candidates re-scored with their exact float32 vectors as ResponseCache does) against
// the seed's exact brute-force scan, in the same run, at 10k, 100k and 1M entries of 384 dimensions in ONE
// scope (the worst case: real traffic spreads entries over many smaller scopes). Each size runs in its own
// child process so memory is measured cleanly. Build once first: npx nx run cache:build
//
//   node bench/cache/semantic-lookup.mjs [--sizes 10000,100000,1000000] [--queries 2000] [--scan-queries 200]
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { bruteForceNearest, clusteredVectors, queries as makeQueries, summarise } from './lib/synthetic-vectors.mjs';

const require = createRequire(import.meta.url);
const DIMS = 384;
const CANDIDATES = 4; // CACHE_CANDIDATES default

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function memory() {
  global.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

function child({ count, queryCount, scanQueries }) {
  const { ScopedVectorIndex, DEFAULT_INDEX_OPTIONS } = require('../../services/cache/dist/vector-index');
  const usearch = require('usearch');
  const { data, centres } = clusteredVectors({ count, dims: DIMS, clusters: Math.max(100, Math.round(count / 500)) });
  const { queries, kinds } = makeQueries({ data, centres, dims: DIMS, count: queryCount });
  // Ground truth for every query from usearch's exact SIMD scan (all cores); the JS scan below is the seed's algorithm.
  const truthStarted = process.hrtime.bigint();
  // In chunks: usearch's exact search holds a queries x entries distance matrix (8 GB for 2000 x 1M).
  const truthKeys = new Float64Array(queryCount);
  for (let start = 0; start < queryCount; start += 100) {
    const end = Math.min(queryCount, start + 100);
    // A copy: usearch's binding reads a subarray from the start of its buffer.
    const chunk = usearch.exactSearch(data, queries.slice(start * DIMS, end * DIMS), DIMS, 1, 'ip', 0);
    for (let q = start; q < end; q++) truthKeys[q] = Number(chunk.keys[q - start]);
  }
  const exact = { keys: truthKeys };
  const truthSeconds = ms(truthStarted) / 1000;
  const keys = Array.from({ length: count }, (_, n) => n.toString(16).padStart(64, '0'));

  const before = memory();
  const index = new ScopedVectorIndex();
  const buildStarted = process.hrtime.bigint();
  const expiresAt = Date.now() + 3_600_000;
  // As a replica rebuilds from Redis: pages of 1000 entries, each page's vectors in one native call.
  for (let start = 0; start < count; start += 1_000) {
    const page = [];
    for (let n = start; n < Math.min(count, start + 1_000); n++) {
      page.push([keys[n], { tenant: 'bench', scope: 'one-scope', vector: data.subarray(n * DIMS, (n + 1) * DIMS), expiresAt }]);
    }
    index.upsertMany(page);
  }
  const buildSeconds = ms(buildStarted) / 1000;
  const after = memory();

  const dot = (n, query) => {
    let sum = 0;
    const base = n * DIMS;
    for (let i = 0; i < DIMS; i++) sum += data[base + i] * query[i];
    return sum;
  };
  const indexLatency = [];
  let recallTop1 = 0;
  let recallRescored = 0;
  let nearTotal = 0;
  let nearRescored = 0;
  const now = Date.now();
  for (let q = 0; q < queryCount; q++) {
    const query = queries.subarray(q * DIMS, (q + 1) * DIMS);
    const t0 = process.hrtime.bigint();
    const candidates = index.search('one-scope', query, CANDIDATES, now);
    // What ResponseCache does next: exact cosine of each candidate's float32 vector, best first.
    let best = -1;
    let bestScore = -Infinity;
    for (const candidate of candidates) {
      const n = parseInt(candidate.key, 16);
      const score = dot(n, query);
      if (score > bestScore) [best, bestScore] = [n, score];
    }
    indexLatency.push(ms(t0));
    const truth = Number(exact.keys[q]);
    const truthScore = dot(truth, query);
    // A tie in cosine with the exact answer is an equally right answer.
    const found = (n) => n === truth || Math.abs(dot(n, query) - truthScore) < 1e-6;
    if (candidates.length > 0 && found(parseInt(candidates[0].key, 16))) recallTop1++;
    if (best >= 0 && found(best)) recallRescored++;
    if (kinds[q] === 'near') {
      nearTotal++;
      if (best >= 0 && found(best)) nearRescored++;
    }
  }

  const scanLatency = [];
  const scanCount = Math.min(scanQueries, queryCount);
  for (let q = 0; q < scanCount; q++) {
    const query = queries.subarray(q * DIMS, (q + 1) * DIMS);
    const t0 = process.hrtime.bigint();
    bruteForceNearest(data, DIMS, query);
    scanLatency.push(ms(t0));
  }

  // Stores after the fact: one entry at a time into the full index, as Store calls arrive.
  const extra = clusteredVectors({ count: 1_000, dims: DIMS, clusters: 100, seed: 99 }).data;
  const insertLatency = [];
  for (let n = 0; n < 1_000; n++) {
    const t0 = process.hrtime.bigint();
    index.upsert(`extra-${n}`, { tenant: 'bench', scope: 'one-scope', vector: extra.subarray(n * DIMS, (n + 1) * DIMS), expiresAt });
    insertLatency.push(ms(t0));
  }
  const insertStats = summarise(insertLatency);

  const indexStats = summarise(indexLatency);
  const scanStats = summarise(scanLatency);
  const stats = index.stats();
  return {
    entries: count,
    queries: queryCount,
    index: {
      p50Ms: +indexStats.p50.toFixed(3),
      p99Ms: +indexStats.p99.toFixed(3),
      recallAt1: +(recallRescored / queryCount).toFixed(4),
      recallAt1NearDuplicates: +(nearRescored / nearTotal).toFixed(4),
      recallAt1BeforeRescoring: +(recallTop1 / queryCount).toFixed(4),
      rebuildSeconds: +buildSeconds.toFixed(1),
      rebuildEntriesPerSecond: Math.round(count / buildSeconds),
      singleInsertP50Ms: +insertStats.p50.toFixed(3),
      singleInsertP99Ms: +insertStats.p99.toFixed(3),
      rssBytesPerEntry: Math.round((after.rss - before.rss) / count),
      heapBytesPerEntry: Math.round((after.heapUsed - before.heapUsed) / count),
      estimatedBytesPerEntry: Math.round(stats.memoryBytes / count),
      settings: DEFAULT_INDEX_OPTIONS.hnsw,
    },
    bruteForceScan: { p50Ms: +scanStats.p50.toFixed(3), p99Ms: +scanStats.p99.toFixed(3), queries: scanCount },
    speedupAtP50: +(scanStats.p50 / indexStats.p50).toFixed(0),
    groundTruthSeconds: +truthSeconds.toFixed(1),
    float32VectorsMb: Math.round((count * DIMS * 4) / 2 ** 20),
    loadAverage1m: +os.loadavg()[0].toFixed(1),
  };
}

/** The flat (exact) scope index at the sizes where the cache chooses between it and HNSW. */
function flatVersusHnsw() {
  const { FlatScopeIndex, HnswScopeIndex, DEFAULT_INDEX_OPTIONS } = require('../../services/cache/dist/vector-index');
  const rows = [];
  for (const size of [256, 1024, 4096]) {
    const { data, centres } = clusteredVectors({ count: size, dims: DIMS, clusters: 20, seed: size });
    const { queries } = makeQueries({ data, centres, dims: DIMS, count: 500, seed: size + 1 });
    const flat = new FlatScopeIndex(DIMS);
    const hnsw = new HnswScopeIndex(DIMS, DEFAULT_INDEX_OPTIONS.hnsw);
    for (let n = 0; n < size; n++) {
      flat.add(n, data.subarray(n * DIMS, (n + 1) * DIMS));
      hnsw.add(n, data.subarray(n * DIMS, (n + 1) * DIMS));
    }
    const time = (scopeIndex) => {
      const samples = [];
      for (let q = 0; q < 500; q++) {
        const t0 = process.hrtime.bigint();
        scopeIndex.search(queries.subarray(q * DIMS, (q + 1) * DIMS), CANDIDATES);
        samples.push(ms(t0));
      }
      return summarise(samples);
    };
    const f = time(flat);
    const h = time(hnsw);
    rows.push({ scopeSize: size, flatP50Ms: +f.p50.toFixed(3), flatP99Ms: +f.p99.toFixed(3), hnswP50Ms: +h.p50.toFixed(3), hnswP99Ms: +h.p99.toFixed(3) });
  }
  return rows;
}

if (process.argv.includes('--child')) {
  const spec = JSON.parse(arg('child'));
  const result = spec.flat ? flatVersusHnsw() : child(spec);
  process.stdout.write(JSON.stringify(result) + '\n');
} else {
  const sizes = arg('sizes', '10000,100000,1000000').split(',').map(Number);
  const queryCount = Number(arg('queries', '2000'));
  const scanQueries = Number(arg('scan-queries', '200'));
  const self = fileURLToPath(import.meta.url);
  const run = (spec, heapMb) =>
    JSON.parse(
      execFileSync(process.execPath, ['--expose-gc', `--max-old-space-size=${heapMb}`, self, '--child', JSON.stringify(spec)], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
        timeout: 30 * 60_000,
      }),
    );
  console.log(
    `# semantic lookup, ${DIMS} dims, one scope, ${queryCount} queries (half near-duplicates of stored entries), ` +
      `node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${new Date().toISOString()}`,
  );
  console.log(JSON.stringify({ flatVersusHnsw: run({ flat: true }, 2048) }));
  for (const count of sizes) console.log(JSON.stringify(run({ count, queryCount, scanQueries }, 8192)));
}
