export {
  ScopedVectorIndex,
  DEFAULT_INDEX_OPTIONS,
  type Candidate,
  type IndexedVector,
  type IndexSize,
  type ScopedVectorIndexOptions,
} from './scoped-vector-index';
export type { HnswOptions, Quantization } from './hnsw-scope-index';
export { FlatScopeIndex } from './flat-scope-index';
export { HnswScopeIndex } from './hnsw-scope-index';
export type { ScopeIndex, ScopeMatches } from './scope-index';
