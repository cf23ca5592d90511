import type { Embedder } from './embedder';
import { toUnitVector } from './unit-vector';

/** Calls the real embedding model (in Switchyard: the batcher with kind EMBEDDING), one vector per text, in order. */
export type EmbedTexts = (texts: string[]) => Promise<number[][]>;

export interface UpstreamEmbedderOptions {
  /** Identifies the vector space, e.g. `upstream:text-embedding-3-small`. */
  name: string;
  /** Length every returned vector must have, e.g. 1536. */
  dimensions: number;
}

/** Embeds through an upstream model and L2-normalises the result so cosine similarity is a dot product. */
export class UpstreamEmbedder implements Embedder {
  readonly name: string;
  readonly dimensions: number;

  constructor(
    private readonly embedTexts: EmbedTexts,
    options: UpstreamEmbedderOptions,
  ) {
    if (options.name.trim() === '') throw new RangeError('UpstreamEmbedder name must not be empty');
    if (!Number.isInteger(options.dimensions) || options.dimensions < 1) {
      throw new RangeError(`UpstreamEmbedder dimensions must be a positive integer, got ${options.dimensions}`);
    }
    this.name = options.name;
    this.dimensions = options.dimensions;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const vectors = await this.embedTexts([...texts]);
    // A short or misshapen answer would silently pair answers with the wrong questions; refuse it.
    if (vectors.length !== texts.length) {
      throw new Error(`embedding upstream returned ${vectors.length} vectors for ${texts.length} texts`);
    }
    return vectors.map((vector, i) => {
      if (vector.length !== this.dimensions) {
        throw new Error(
          `embedding upstream returned ${vector.length} dimensions for text ${i}, expected ${this.dimensions}`,
        );
      }
      return toUnitVector(vector);
    });
  }
}
