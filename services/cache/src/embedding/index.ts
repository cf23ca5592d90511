export type { Embedder } from './embedder';
export { LexicalHashEmbedder, type LexicalHashEmbedderOptions } from './lexical-hash-embedder';
export { UpstreamEmbedder, type EmbedTexts, type UpstreamEmbedderOptions } from './upstream-embedder';
export { normaliseText } from './normalise-text';
export { toUnitVector, cosineOfUnitVectors } from './unit-vector';
