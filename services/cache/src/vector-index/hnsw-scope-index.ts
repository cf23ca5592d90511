import { Index, MetricKind, ScalarKind } from 'usearch';
import type { ScopeIndex, ScopeMatches } from './scope-index';

export type Quantization = 'f32' | 'f16' | 'i8';

export interface HnswOptions {
  /** How vectors are held in the graph; the cache re-scores candidates with the exact vector, so i8 is enough. */
  quantization: Quantization;
  /** Graph degree (HNSW's M). */
  connectivity: number;
  /** Candidate list size while inserting (efConstruction). */
  expansionAdd: number;
  /** Candidate list size while searching (ef). */
  expansionSearch: number;
}

const SCALAR_BYTES: Record<Quantization, number> = { f32: 4, f16: 2, i8: 1 };
const SCALAR_KIND: Record<Quantization, ScalarKind> = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 };

/**
 * A usearch HNSW graph over one scope (ADR 0015 records why usearch and these settings). Calls run on
 * the event loop thread with one worker thread each: a lookup is a single query, and a thread pool
 * per call costs more than it saves.
 */
export class HnswScopeIndex implements ScopeIndex {
  readonly kind = 'hnsw';
  private readonly index: Index;
  private readonly key = new BigUint64Array(1);
  private readonly bytesPerSlot: number;

  constructor(
    readonly dimensions: number,
    private readonly options: HnswOptions,
  ) {
    this.index = new Index({
      dimensions,
      metric: MetricKind.Cos,
      quantization: SCALAR_KIND[options.quantization],
      connectivity: options.connectivity,
      expansion_add: options.expansionAdd,
      expansion_search: options.expansionSearch,
      multi: false,
    });
    // Vector, base-layer neighbour lists (2M ids of 4 bytes), upper layers and per-slot bookkeeping.
    this.bytesPerSlot = dimensions * SCALAR_BYTES[options.quantization] + options.connectivity * 2 * 4 + 64;
  }

  get size(): number {
    return this.index.size();
  }

  add(label: number, vector: Float32Array): void {
    // Labels are fresh per insert (ScopedVectorIndex never re-adds a live label), as usearch requires.
    this.key[0] = BigInt(label);
    this.index.add(this.key, vector, 1);
  }

  /**
   * Adds many vectors in one native call on `threads` threads (0 = every core): how an index is rebuilt,
   * several times faster than one call per vector. `vectors` holds them back to back.
   */
  addMany(labels: readonly number[], vectors: Float32Array, threads = 0): void {
    if (labels.length === 0) return;
    this.index.add(BigUint64Array.from(labels, (label) => BigInt(label)), vectors, threads);
  }

  remove(label: number): void {
    this.key[0] = BigInt(label);
    this.index.remove(this.key);
  }

  search(vector: Float32Array, k: number): ScopeMatches {
    const size = this.index.size();
    if (size === 0) return { labels: [], similarities: [] };
    const matches = this.index.search(vector, Math.min(k, size), 1);
    const labels: number[] = [];
    const similarities: number[] = [];
    for (let i = 0; i < matches.keys.length; i++) {
      const distance = matches.distances[i]!;
      // usearch pads missing results; its cosine distance is 1 - similarity.
      if (!Number.isFinite(distance)) continue;
      labels.push(Number(matches.keys[i]));
      similarities.push(Math.max(-1, Math.min(1, 1 - distance)));
    }
    return { labels, similarities };
  }

  memoryBytes(): number {
    return this.index.capacity() * this.bytesPerSlot + 4096;
  }

  dispose(): void {
    // usearch frees the graph when the wrapper is collected; dropping our reference is all we can do.
  }
}
