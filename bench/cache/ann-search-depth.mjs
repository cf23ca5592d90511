// How recall@1 and latency of a usearch HNSW graph move with the search depth (ef, `expansion_search`) at
// one size: builds the graph once (all cores), saves it, reloads it with each ef and searches 1000 queries
// (half near-duplicates of stored entries), re-scoring the top 4 with exact float32 vectors as the cache does.
//
//   node --max-old-space-size=8192 bench/cache/ann-search-depth.mjs [--entries 1000000] [--quantization i8] [--m 16] [--ef-add 128]
import { createRequire } from 'node:module';
import os from 'node:os';
import { clusteredVectors, queries as makeQueries, summarise } from './lib/synthetic-vectors.mjs';

const require = createRequire(import.meta.url);
const usearch = require('usearch');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const DIMS = 384;
const count = Number(arg('entries', '1000000'));
const quantization = arg('quantization', 'i8');
const connectivity = Number(arg('m', '16'));
const expansionAdd = Number(arg('ef-add', '128'));
const QUERIES = 1000;

console.log(`# HNSW search depth, ${count} x ${DIMS}d, ${quantization}, M ${connectivity}, efConstruction ${expansionAdd}, ` +
  `node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${new Date().toISOString()}`);
const { data, centres } = clusteredVectors({ count, dims: DIMS, clusters: Math.max(100, Math.round(count / 500)) });
const { queries, kinds } = makeQueries({ data, centres, dims: DIMS, count: QUERIES });
const truth = [];
for (let start = 0; start < QUERIES; start += 100) {
  // A copy: usearch's exactSearch binding reads a subarray from the start of its buffer.
  const chunk = usearch.exactSearch(data, queries.slice(start * DIMS, (start + 100) * DIMS), DIMS, 1, 'ip', 0);
  for (let i = 0; i < 100; i++) truth.push(Number(chunk.keys[i]));
}
const config = (ef) => ({ dimensions: DIMS, metric: 'cos', quantization, connectivity, expansion_add: expansionAdd, expansion_search: ef, multi: false });
const started = Date.now();
const index = new usearch.Index(config(64));
index.add(BigUint64Array.from({ length: count }, (_, i) => BigInt(i)), data, 0);
const file = `${os.tmpdir()}/switchyard-ann-${process.pid}.usearch`;
index.save(file);
console.log(JSON.stringify({ buildSeconds: (Date.now() - started) / 1000, threads: os.cpus().length }));
const dot = (n, q) => {
  let s = 0;
  for (let i = 0; i < DIMS; i++) s += data[n * DIMS + i] * q[i];
  return s;
};
for (const ef of [64, 128, 256]) {
  const loaded = new usearch.Index(config(ef));
  loaded.load(file);
  let found = 0;
  let nearFound = 0;
  let near = 0;
  const latency = [];
  for (let q = 0; q < QUERIES; q++) {
    const query = queries.subarray(q * DIMS, (q + 1) * DIMS);
    const t0 = process.hrtime.bigint();
    const keys = Array.from(loaded.search(query, 4, 1).keys, Number);
    latency.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const best = keys.reduce((a, b) => (dot(b, query) > dot(a, query) ? b : a), keys[0]);
    const ok = best === truth[q] || Math.abs(dot(best, query) - dot(truth[q], query)) < 1e-6;
    if (ok) found++;
    if (kinds[q] === 'near') {
      near++;
      if (ok) nearFound++;
    }
  }
  const s = summarise(latency);
  console.log(JSON.stringify({ ef, recallAt1: found / QUERIES, recallAt1NearDuplicates: nearFound / near, p50Ms: +s.p50.toFixed(3), p99Ms: +s.p99.toFixed(3) }));
}
require('node:fs').rmSync(file, { force: true });
