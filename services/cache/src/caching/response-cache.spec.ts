import { InvalidArgument } from '@switchyard/service-kit/errors';
import type { Embedder } from '../embedding/embedder';
import { LexicalHashEmbedder } from '../embedding/lexical-hash-embedder';
import { cosineOfUnitVectors } from '../embedding/unit-vector';
import { estimateEntryBytes, MemoryCacheStore } from '../store/memory';
import { ResponseCache, type ResponseCacheOptions } from './response-cache';
import type { CacheKeyInput } from './types';

const FRANCE = 'What is the capital of France?';
const FRANCE_REWORDED = "what's the capital of france";
const GERMANY = 'What is the capital of Germany?';
const USAGE = { inputTokens: 12, outputTokens: 3 };

function request(question: string, overrides: Partial<CacheKeyInput> = {}): CacheKeyInput {
  return {
    tenant: 'team-a',
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'Answer in one word.' },
      { role: 'user', content: question },
    ],
    temperature: 0,
    maxTokens: 64,
    ...overrides,
  };
}

/** Counts calls so tests can prove when embedding happens. */
class CountingEmbedder implements Embedder {
  readonly inner = new LexicalHashEmbedder();
  readonly name = this.inner.name;
  readonly dimensions = this.inner.dimensions;
  calls = 0;
  failing = false;
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls++;
    if (this.failing) throw new Error('embedding upstream down');
    return this.inner.embed(texts);
  }
}

function setup(options: ResponseCacheOptions = {}, bounds: { maxEntries?: number; maxBytes?: number } = {}) {
  const clock = { at: 1_700_000_000_000, now: () => clock.at };
  const store = new MemoryCacheStore({
    maxEntries: bounds.maxEntries ?? 1_000,
    maxBytes: bounds.maxBytes ?? 10_000_000,
    clock,
  });
  const embedder = new CountingEmbedder();
  const cache = new ResponseCache({ store, embedder }, options);
  return { cache, clock, embedder, store };
}

describe('ResponseCache', () => {
  describe('exact tier', () => {
    it('answers a repeated request exactly with similarity 1 and the original usage', async () => {
      const { cache } = setup();
      expect(await cache.lookup(request(FRANCE))).toEqual({ status: 'miss', similarity: 0 });
      expect(await cache.store(request(FRANCE), 'Paris', USAGE)).toEqual({ stored: true });

      expect(await cache.lookup(request(FRANCE))).toEqual({
        status: 'exact',
        content: 'Paris',
        usage: USAGE,
        similarity: 1,
      });
      expect(await cache.stats()).toMatchObject({ entries: 1, exactHits: 1, semanticHits: 0, misses: 1 });
    });

    it('does not embed when the exact tier answers', async () => {
      const { cache, embedder } = setup({ recentEmbeddings: 0 });
      await cache.store(request(FRANCE), 'Paris', USAGE);
      const callsAfterStore = embedder.calls;
      await cache.lookup(request(FRANCE));
      expect(embedder.calls).toBe(callsAfterStore);
    });

    it('serves exact repeats of a request whose last message is not from the user', async () => {
      const { cache } = setup();
      const continuation = request(FRANCE, {
        messages: [
          { role: 'user', content: FRANCE },
          { role: 'assistant', content: 'Paris' },
        ],
      });
      await cache.store(continuation, 'It is also the largest city.', USAGE);
      expect((await cache.lookup(continuation)).status).toBe('exact');
    });
  });

  describe('semantic tier', () => {
    it('answers a reworded question semantically and reports its similarity', async () => {
      const { cache } = setup();
      await cache.store(request(FRANCE), 'Paris', USAGE);

      const result = await cache.lookup(request(FRANCE_REWORDED));

      expect(result.status).toBe('semantic');
      expect(result.content).toBe('Paris');
      expect(result.usage).toEqual(USAGE);
      expect(result.similarity).toBeGreaterThanOrEqual(0.95);
      expect(result.similarity).toBeLessThanOrEqual(1);
      expect(await cache.stats()).toMatchObject({ semanticHits: 1, exactHits: 0, misses: 0 });
    });

    it('misses a different question and reports the nearest similarity in scope', async () => {
      const { cache, embedder } = setup();
      await cache.store(request(FRANCE), 'Paris', USAGE);
      await cache.store(request('How do I bake sourdough bread?'), 'Slowly.', USAGE);
      const expected = cosineOfUnitVectors(embedder.inner.embedOne(FRANCE), embedder.inner.embedOne(GERMANY));

      const result = await cache.lookup(request(GERMANY));

      expect(result.status).toBe('miss');
      expect(result.content).toBeUndefined();
      expect(result.similarity).toBeGreaterThan(0.5);
      expect(result.similarity).toBeLessThan(0.95);
      expect(result.similarity).toBeCloseTo(expected, 5);
      expect(await cache.stats()).toMatchObject({ misses: 1 });
    });

    it('reports similarity 0 on a miss when the scope holds nothing', async () => {
      const { cache } = setup();
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect(await cache.lookup(request(FRANCE, { model: 'gpt-4o' }))).toEqual({ status: 'miss', similarity: 0 });
    });

    it('skips semantic matching when the last message is not from the user', async () => {
      const { cache, embedder } = setup({ recentEmbeddings: 0 });
      const afterAssistant = (answer: string) =>
        request(FRANCE, {
          messages: [
            { role: 'user', content: FRANCE },
            { role: 'assistant', content: answer },
          ],
        });
      await cache.store(afterAssistant('Paris'), 'More about Paris', USAGE);
      const calls = embedder.calls;

      expect(await cache.lookup(afterAssistant('Paris!'))).toEqual({ status: 'miss', similarity: 0 });
      expect(embedder.calls).toBe(calls);
    });

    it('embeds the question once across a missed lookup and the store that follows it', async () => {
      const { cache, embedder } = setup();
      await cache.lookup(request(FRANCE));
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect(embedder.calls).toBe(1);
    });
  });

  describe('isolation', () => {
    it('never shows one tenant an entry stored by another, exactly or semantically', async () => {
      const { cache } = setup();
      await cache.store(request(FRANCE, { tenant: 'team-a' }), 'Paris', USAGE);

      expect(await cache.lookup(request(FRANCE, { tenant: 'team-b' }))).toEqual({ status: 'miss', similarity: 0 });
      expect(await cache.lookup(request(FRANCE_REWORDED, { tenant: 'team-b' }))).toEqual({
        status: 'miss',
        similarity: 0,
      });
      expect((await cache.lookup(request(FRANCE_REWORDED, { tenant: 'team-a' }))).status).toBe('semantic');
    });

    it.each<[string, Partial<CacheKeyInput>]>([
      [
        'system prompt',
        {
          messages: [
            { role: 'system', content: 'Answer in French.' },
            { role: 'user', content: FRANCE_REWORDED },
          ],
        },
      ],
      [
        'earlier turn',
        {
          messages: [
            { role: 'system', content: 'Answer in one word.' },
            { role: 'user', content: 'Let us talk about Italy.' },
            { role: 'assistant', content: 'Sure.' },
            { role: 'user', content: FRANCE_REWORDED },
          ],
        },
      ],
      ['model', { model: 'gpt-4o' }],
      ['temperature', { temperature: 0.7 }],
      ['max tokens', { maxTokens: 128 }],
    ])('gives no semantic hit when the %s differs', async (_, change) => {
      const { cache } = setup();
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect(await cache.lookup(request(FRANCE_REWORDED, change))).toEqual({ status: 'miss', similarity: 0 });
    });
  });

  describe('similarity threshold', () => {
    it('accepts a looser per-request threshold and rejects the same match at the default', async () => {
      const { cache } = setup();
      await cache.store(request(FRANCE), 'Paris', USAGE);

      const strict = await cache.lookup(request(GERMANY));
      const loose = await cache.lookup(request(GERMANY), { similarityThreshold: 0.5 });

      expect(strict.status).toBe('miss');
      expect(loose).toMatchObject({ status: 'semantic', content: 'Paris', similarity: strict.similarity });
    });

    it('uses the configured default when the request passes 0', async () => {
      const { cache } = setup({ defaultSimilarityThreshold: 0.5 });
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect((await cache.lookup(request(GERMANY), { similarityThreshold: 0 })).status).toBe('semantic');
    });

    it('applies a tenant threshold unless the request overrides it', async () => {
      const { cache } = setup({ tenantSimilarityThresholds: { 'team-a': 0.5 } });
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect((await cache.lookup(request(GERMANY))).status).toBe('semantic');
      expect((await cache.lookup(request(GERMANY), { similarityThreshold: 0.99 })).status).toBe('miss');
    });

    it('gives a tenant named like an Object.prototype member the default threshold', async () => {
      const { cache } = setup({ tenantSimilarityThresholds: { 'team-a': 0.5 } });
      await cache.store(request(FRANCE, { tenant: 'constructor' }), 'Paris', USAGE);
      expect((await cache.lookup(request(FRANCE_REWORDED, { tenant: 'constructor' }))).status).toBe('semantic');
      expect((await cache.lookup(request(GERMANY, { tenant: 'constructor' }))).status).toBe('miss');
    });

    it('hits at threshold 1 only for a question that normalises identically', async () => {
      const { cache } = setup();
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect((await cache.lookup(request(FRANCE_REWORDED), { similarityThreshold: 1 })).status).toBe('semantic');
      expect((await cache.lookup(request(GERMANY), { similarityThreshold: 1 })).status).toBe('miss');
    });

    it.each([-0.1, 1.01, Number.NaN, Number.POSITIVE_INFINITY])(
      'rejects the threshold %p as similarity_threshold',
      async (threshold) => {
        const { cache } = setup();
        await expect(cache.lookup(request(FRANCE), { similarityThreshold: threshold })).rejects.toMatchObject({
          constructor: InvalidArgument,
          field: 'similarity_threshold',
        });
      },
    );

    it('refuses a configured threshold outside (0, 1]', () => {
      expect(() => setup({ defaultSimilarityThreshold: 1.5 })).toThrow('defaultSimilarityThreshold');
      expect(() => setup({ tenantSimilarityThresholds: { 'team-a': 0 } })).toThrow('tenantSimilarityThresholds.team-a');
    });
  });

  describe('TTL', () => {
    it('serves an entry until its default TTL passes, then misses', async () => {
      const { cache, clock } = setup({ defaultTtlSeconds: 60 });
      await cache.store(request(FRANCE), 'Paris', USAGE);

      clock.at += 59_999;
      expect((await cache.lookup(request(FRANCE))).status).toBe('exact');
      expect((await cache.lookup(request(FRANCE_REWORDED))).status).toBe('semantic');

      clock.at += 1;
      expect(await cache.lookup(request(FRANCE))).toEqual({ status: 'miss', similarity: 0 });
      expect(await cache.lookup(request(FRANCE_REWORDED))).toEqual({ status: 'miss', similarity: 0 });
      expect(await cache.stats()).toMatchObject({ entries: 0, expirations: 1 });
    });

    it('honours a per-entry TTL over the default', async () => {
      const { cache, clock } = setup({ defaultTtlSeconds: 3_600 });
      await cache.store(request(FRANCE), 'Paris', USAGE, 5);
      await cache.store(request(GERMANY), 'Berlin', USAGE);

      clock.at += 5_000;
      expect((await cache.lookup(request(FRANCE))).status).toBe('miss');
      expect((await cache.lookup(request(GERMANY))).status).toBe('exact');
    });

    it('rejects a negative TTL as ttl_seconds', async () => {
      const { cache } = setup();
      await expect(cache.store(request(FRANCE), 'Paris', USAGE, -1)).rejects.toMatchObject({ field: 'ttl_seconds' });
    });
  });

  describe('memory bound', () => {
    it('evicts the least recently used entry when the entry count is exceeded', async () => {
      const { cache } = setup({}, { maxEntries: 2 });
      await cache.store(request('first question'), 'one', USAGE);
      await cache.store(request('second question'), 'two', USAGE);
      await cache.lookup(request('first question'));
      await cache.store(request('third question'), 'three', USAGE);

      expect((await cache.lookup(request('second question'))).status).toBe('miss');
      expect((await cache.lookup(request('first question'))).status).toBe('exact');
      expect((await cache.lookup(request('third question'))).status).toBe('exact');
      expect(await cache.stats()).toMatchObject({ entries: 2, evictions: 1 });
    });

    it('counts a semantic hit as a use, protecting it from eviction', async () => {
      const { cache } = setup({}, { maxEntries: 2 });
      await cache.store(request(FRANCE), 'Paris', USAGE);
      await cache.store(request('second question'), 'two', USAGE);
      expect((await cache.lookup(request(FRANCE_REWORDED))).status).toBe('semantic');
      await cache.store(request('third question'), 'three', USAGE);

      expect((await cache.lookup(request(FRANCE))).status).toBe('exact');
      expect((await cache.lookup(request('second question'))).status).toBe('miss');
    });

    it('evicts least recently used entries to stay within the byte bound', async () => {
      const answer = 'x'.repeat(2_000);
      const { cache, store } = setup({}, { maxBytes: 5_000 });
      await cache.store(request('first question'), answer, USAGE);
      await cache.store(request('second question'), answer, USAGE);

      const stats = await cache.stats();
      expect(stats).toMatchObject({ entries: 1, evictions: 1 });
      expect(stats.memoryBytes).toBeLessThanOrEqual(5_000);
      expect((await cache.lookup(request('first question'))).status).toBe('miss');
      expect((await cache.lookup(request('second question'))).status).toBe('exact');
      expect(await store.stats()).toMatchObject({ memoryBytes: stats.memoryBytes });
    });

    it('reports the estimated bytes of content, keys and vector', async () => {
      const { cache, store } = setup();
      await cache.store(request(FRANCE), 'Paris', USAGE);
      const stats = await cache.stats();
      // 5 content bytes + two 64-char hashes + 384 float32 + overhead.
      const sameShape = {
        key: 'k'.repeat(64),
        content: 'Paris',
        usage: USAGE,
        semantic: { scope: 's'.repeat(64), vector: new Float32Array(384) },
      };
      expect(stats.memoryBytes).toBe(estimateEntryBytes(sameShape));
      expect(await store.stats()).toMatchObject({ entries: 1 });
    });

    it('declines an answer too large for the whole cache', async () => {
      const { cache } = setup({}, { maxBytes: 2_000 });
      expect(await cache.store(request(FRANCE), 'x'.repeat(5_000), USAGE)).toEqual({
        stored: false,
        reason: 'too-large',
      });
      expect(await cache.stats()).toMatchObject({ entries: 0, evictions: 0 });
    });
  });

  describe('cacheSampled policy', () => {
    it('neither stores nor looks up sampled requests when cacheSampled is false', async () => {
      const { cache, embedder } = setup({ cacheSampled: false });
      const sampled = request(FRANCE, { temperature: 0.7 });

      expect(await cache.store(sampled, 'Paris', USAGE)).toEqual({ stored: false, reason: 'sampled-request' });
      expect(await cache.lookup(sampled)).toEqual({ status: 'miss', similarity: 0 });
      expect(embedder.calls).toBe(0);
      expect(await cache.stats()).toMatchObject({ entries: 0, bypassed: 1, misses: 0 });
    });

    it('still caches deterministic requests when cacheSampled is false', async () => {
      const { cache } = setup({ cacheSampled: false });
      expect(await cache.store(request(FRANCE), 'Paris', USAGE)).toEqual({ stored: true });
      expect((await cache.lookup(request(FRANCE_REWORDED))).status).toBe('semantic');
    });

    it('caches sampled requests by default', async () => {
      const { cache } = setup();
      const sampled = request(FRANCE, { temperature: 0.7 });
      await cache.store(sampled, 'Paris', USAGE);
      expect((await cache.lookup(sampled)).status).toBe('exact');
    });
  });

  describe('embedder failures', () => {
    it('degrades to exact-only: lookups miss, stores still serve exact repeats, the error is reported', async () => {
      const errors: unknown[] = [];
      const { cache, embedder } = setup({ onEmbedderError: (error) => errors.push(error), recentEmbeddings: 0 });
      embedder.failing = true;

      expect(await cache.store(request(FRANCE), 'Paris', USAGE)).toEqual({ stored: true });
      expect(await cache.lookup(request(FRANCE_REWORDED))).toEqual({ status: 'miss', similarity: 0 });
      expect((await cache.lookup(request(FRANCE))).status).toBe('exact');
      expect(errors).toHaveLength(2);
      expect(await cache.stats()).toMatchObject({ embedderErrors: 2 });
    });

    it('retries the embedder after a failure instead of remembering it', async () => {
      const { cache, embedder } = setup();
      await cache.store(request(FRANCE), 'Paris', USAGE);
      embedder.failing = true;
      expect((await cache.lookup(request(FRANCE_REWORDED))).status).toBe('miss');
      embedder.failing = false;
      expect((await cache.lookup(request(FRANCE_REWORDED))).status).toBe('semantic');
    });
  });

  describe('invalid input', () => {
    it.each<[string, Partial<CacheKeyInput>]>([
      ['tenant', { tenant: '' }],
      ['tenant', { tenant: '   ' }],
      ['model', { model: '' }],
      ['messages', { messages: [] }],
      ['messages[0].role', { messages: [{ role: '', content: 'hi' }] }],
      ['messages[1].content', { messages: [{ role: 'user', content: 'hi' }, { role: 'user' } as never] }],
      ['temperature', { temperature: -1 }],
      ['temperature', { temperature: Number.NaN }],
      ['max_tokens', { maxTokens: 1.5 }],
    ])('rejects a bad %s on lookup and store', async (field, change) => {
      const { cache } = setup();
      const bad = request(FRANCE, change);
      await expect(cache.lookup(bad)).rejects.toMatchObject({ constructor: InvalidArgument, field });
      await expect(cache.store(bad, 'Paris', USAGE)).rejects.toMatchObject({ constructor: InvalidArgument, field });
    });

    it('rejects an empty answer and negative usage', async () => {
      const { cache } = setup();
      await expect(cache.store(request(FRANCE), '', USAGE)).rejects.toMatchObject({ field: 'content' });
      await expect(
        cache.store(request(FRANCE), 'Paris', { inputTokens: -1, outputTokens: 0 }),
      ).rejects.toMatchObject({ field: 'usage.input_tokens' });
    });
  });
});
