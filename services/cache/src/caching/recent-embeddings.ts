import { createHash } from 'node:crypto';
import type { Embedder } from '../embedding/embedder';

/**
 * Remembers the last few query embeddings (and shares in-flight ones), because the gateway stores
 * right after a missed lookup of the same text: without this every miss would pay the upstream twice.
 * Keyed by the text's hash so long prompts are not held in memory.
 */
export class RecentEmbeddings {
  private readonly vectors = new Map<string, Promise<Float32Array>>();

  constructor(
    private readonly embedder: Embedder,
    private readonly capacity: number,
  ) {}

  embed(text: string): Promise<Float32Array> {
    if (this.capacity < 1) return this.embedOne(text);
    const key = createHash('sha256').update(text).digest('hex');
    const known = this.vectors.get(key);
    if (known) {
      this.vectors.delete(key);
      this.vectors.set(key, known);
      return known;
    }
    const vector = this.embedOne(text);
    this.vectors.set(key, vector);
    // A failure must not be remembered: the next call should try the embedder again.
    vector.catch(() => {
      if (this.vectors.get(key) === vector) this.vectors.delete(key);
    });
    if (this.vectors.size > this.capacity) this.vectors.delete(this.vectors.keys().next().value as string);
    return vector;
  }

  private async embedOne(text: string): Promise<Float32Array> {
    const [vector] = await this.embedder.embed([text]);
    if (!vector) throw new Error(`embedder ${this.embedder.name} returned no vector`);
    return vector;
  }
}
