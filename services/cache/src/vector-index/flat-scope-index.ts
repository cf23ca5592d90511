import { exactSearch, MetricKind } from 'usearch';
import type { ScopeIndex, ScopeMatches } from './scope-index';

const INITIAL_CAPACITY = 2;

/**
 * An exact scan over the vectors of a scope of up to `CACHE_INDEX_FLAT_LIMIT` vectors (1024 by default).
 * Most scopes are small (one per distinct system prompt and conversation prefix); for them a scan is
 * exact, costs no graph (a usearch graph takes ~49 KB before its first vector) and takes ~0.05 ms at 1024.
 * A scope that grows past the limit is promoted to HNSW (ADR 0015).
 */
export class FlatScopeIndex implements ScopeIndex {
  readonly kind = 'flat';
  private vectors: Float32Array;
  private labels: Int32Array;
  private readonly positions = new Map<number, number>();
  private count = 0;

  constructor(readonly dimensions: number) {
    this.vectors = new Float32Array(INITIAL_CAPACITY * dimensions);
    this.labels = new Int32Array(INITIAL_CAPACITY);
  }

  get size(): number {
    return this.count;
  }

  add(label: number, vector: Float32Array): void {
    if (this.positions.has(label)) this.remove(label);
    if (this.count === this.labels.length) this.grow();
    this.vectors.set(vector, this.count * this.dimensions);
    this.labels[this.count] = label;
    this.positions.set(label, this.count);
    this.count++;
  }

  remove(label: number): void {
    const position = this.positions.get(label);
    if (position === undefined) return;
    // Swap the last vector into the hole so the scan stays over one contiguous block.
    const last = this.count - 1;
    if (position !== last) {
      this.vectors.copyWithin(position * this.dimensions, last * this.dimensions, (last + 1) * this.dimensions);
      const moved = this.labels[last]!;
      this.labels[position] = moved;
      this.positions.set(moved, position);
    }
    this.positions.delete(label);
    this.count = last;
  }

  search(vector: Float32Array, k: number): ScopeMatches {
    const wanted = Math.min(k, this.count);
    if (wanted < 1) return { labels: [], similarities: [] };
    // usearch's SIMD scan on one thread (≈ 7x a JavaScript loop). Its binding reads typed arrays from the start
    // of their buffer, so the block passed starts at offset 0 and an offset query is copied first.
    const block = this.vectors.subarray(0, this.count * this.dimensions);
    const query = vector.byteOffset === 0 ? vector : vector.slice();
    const matches = exactSearch(block, query, this.dimensions, wanted, MetricKind.Cos, 1);
    const labels: number[] = [];
    const similarities: number[] = [];
    for (let i = 0; i < matches.keys.length; i++) {
      const distance = matches.distances[i]!;
      if (!Number.isFinite(distance)) continue;
      labels.push(this.labels[Number(matches.keys[i])]!);
      similarities.push(Math.max(-1, Math.min(1, 1 - distance)));
    }
    return { labels, similarities };
  }

  *entries(): Iterable<[number, Float32Array]> {
    for (let n = 0; n < this.count; n++) {
      yield [this.labels[n]!, this.vectors.subarray(n * this.dimensions, (n + 1) * this.dimensions)];
    }
  }

  memoryBytes(): number {
    // Typed arrays plus ~40 bytes per Map entry.
    return this.vectors.byteLength + this.labels.byteLength + this.positions.size * 40 + 64;
  }

  dispose(): void {
    this.count = 0;
    this.positions.clear();
    this.vectors = new Float32Array(0);
    this.labels = new Int32Array(0);
  }

  private grow(): void {
    const capacity = this.labels.length * 2;
    const vectors = new Float32Array(capacity * this.dimensions);
    vectors.set(this.vectors);
    const labels = new Int32Array(capacity);
    labels.set(this.labels);
    this.vectors = vectors;
    this.labels = labels;
  }
}
