// Deterministic synthetic embeddings shaped like a cache's contents: unit vectors in clusters (related
// questions), plus two kinds of queries — near-duplicates of stored entries (what a semantic hit looks
// like, cosine ≈ 0.97) and fresh questions from the same distribution (what a miss looks like).

// Seeded (mulberry32), so every run and every child process sees the same data.
import { seededRandom } from '@switchyard/service-kit/seeded-random';

function gaussian(random) {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function normaliseInto(out, offset, dims) {
  let sum = 0;
  for (let i = 0; i < dims; i++) sum += out[offset + i] * out[offset + i];
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < dims; i++) out[offset + i] /= norm;
}

/**
 * `count` unit vectors of `dims` dimensions in a flat Float32Array, drawn around `clusters` random
 * centres with spread `spread` (cosine to the centre ≈ 1/sqrt(1+spread²)).
 */
export function clusteredVectors({ count, dims, clusters, spread = 0.9, seed = 42 }) {
  const random = seededRandom(seed);
  const centres = new Float32Array(clusters * dims);
  for (let i = 0; i < centres.length; i++) centres[i] = gaussian(random);
  for (let c = 0; c < clusters; c++) normaliseInto(centres, c * dims, dims);
  const data = new Float32Array(count * dims);
  const scale = spread / Math.sqrt(dims);
  for (let n = 0; n < count; n++) {
    const c = Math.floor(random() * clusters);
    const base = n * dims;
    for (let i = 0; i < dims; i++) data[base + i] = centres[c * dims + i] + scale * gaussian(random);
    normaliseInto(data, base, dims);
  }
  return { data, centres };
}

/** Queries: half near-duplicates of stored vectors (noise `nearNoise`), half fresh vectors from the mixture. */
export function queries({ data, centres, dims, count, nearNoise = 0.25, spread = 0.9, seed = 7 }) {
  const random = seededRandom(seed);
  const stored = data.length / dims;
  const clusters = centres.length / dims;
  const out = new Float32Array(count * dims);
  const kinds = [];
  for (let q = 0; q < count; q++) {
    const base = q * dims;
    if (q % 2 === 0) {
      const source = Math.floor(random() * stored);
      const scale = nearNoise / Math.sqrt(dims);
      for (let i = 0; i < dims; i++) out[base + i] = data[source * dims + i] + scale * gaussian(random);
      kinds.push('near');
    } else {
      const c = Math.floor(random() * clusters);
      const scale = spread / Math.sqrt(dims);
      for (let i = 0; i < dims; i++) out[base + i] = centres[c * dims + i] + scale * gaussian(random);
      kinds.push('fresh');
    }
    normaliseInto(out, base, dims);
  }
  return { queries: out, kinds };
}

/** The exact nearest neighbour of one query by a plain scan (the seed's algorithm): [index, cosine]. */
export function bruteForceNearest(data, dims, query) {
  let best = -1;
  let bestScore = -Infinity;
  const count = data.length / dims;
  for (let n = 0; n < count; n++) {
    let dot = 0;
    const base = n * dims;
    for (let i = 0; i < dims; i++) dot += data[base + i] * query[i];
    if (dot > bestScore) {
      bestScore = dot;
      best = n;
    }
  }
  return [best, bestScore];
}

export function percentile(sortedMs, p) {
  if (sortedMs.length === 0) return NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)];
}

export function summarise(samplesMs) {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1], n: sorted.length };
}
