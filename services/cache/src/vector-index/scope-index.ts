/** Labels and approximate cosine similarities of a search, best first. */
export interface ScopeMatches {
  labels: number[];
  similarities: number[];
}

/**
 * The vectors of one scope. Labels are small non-negative integers chosen by the caller (unique per
 * process), so one scope can be moved into another kind of index without renumbering.
 */
export interface ScopeIndex {
  readonly kind: 'flat' | 'hnsw';
  readonly dimensions: number;
  readonly size: number;
  add(label: number, vector: Float32Array): void;
  remove(label: number): void;
  /** Up to `k` nearest labels by cosine, most similar first. */
  search(vector: Float32Array, k: number): ScopeMatches;
  /** Estimated bytes held, native memory included. */
  memoryBytes(): number;
  /** Frees native memory; the index is unusable afterwards. */
  dispose(): void;
}
