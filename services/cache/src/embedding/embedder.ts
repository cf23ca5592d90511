/**
 * Turns texts into unit-length vectors, so cosine similarity between two of them is their dot product.
 * `name` identifies the vector space: vectors from embedders with different names are never compared.
 */
export interface Embedder {
  readonly name: string;
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}
