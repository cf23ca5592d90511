import { InvalidArgument, Unavailable } from '@switchyard/service-kit/errors';
import type { Embedder } from '../embedding/embedder';
import { LexicalHashEmbedder } from '../embedding/lexical-hash-embedder';
import { cosineOfUnitVectors } from '../embedding/unit-vector';
import type { CacheStore, StoreBounds } from '../store/cache-store';
import { MemoryCacheStore } from '../store/memory';
import { exactKey } from './canonical-key';
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

function setup(options: ResponseCacheOptions = {}, bounds: Partial<StoreBounds> = {}) {
  const clock = { at: 1_700_000_000_000, now: () => clock.at };
  const store = new MemoryCacheStore({
    bounds: { maxEntries: 1_000, maxBytes: 10_000_000, tenant: { maxEntries: 1_000, maxBytes: 10_000_000 }, ...bounds },
    clock,
  });
  const embedder = new CountingEmbedder();
  const cache = new ResponseCache({ store, embedder }, options);
  return { cache, clock, embedder, store };
}

describe('ResponseCache', () => {
  describe('exact tier', () => {
    it('answers a repeated request exactly with similarity 1, the original usage and the entry key', async () => {
      const { cache } = setup();
      expect(await cache.lookup(request(FRANCE))).toEqual({ status: 'miss', similarity: 0 });
      expect(await cache.store(request(FRANCE), 'Paris', USAGE)).toEqual({ stored: true });

      expect(await cache.lookup(request(FRANCE))).toEqual({
        status: 'exact',
        content: 'Paris',
        usage: USAGE,
        similarity: 1,
        entryKey: exactKey(request(FRANCE)),
      });
      expect(await cache.stats()).toMatchObject({ entries: 1, exactHits: 1, semanticHits: 0, misses: 1, exactHitRatio: 0.5 });
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
    it('answers a reworded question semantically and reports its similarity and entry', async () => {
      const { cache } = setup();
      await cache.store(request(FRANCE), 'Paris', USAGE);

      const result = await cache.lookup(request(FRANCE_REWORDED));

      expect(result).toMatchObject({ status: 'semantic', content: 'Paris', usage: USAGE, entryKey: exactKey(request(FRANCE)) });
      expect(result.similarity).toBeGreaterThanOrEqual(0.95);
      expect(result.similarity).toBeLessThanOrEqual(1);
      expect(await cache.stats()).toMatchObject({ semanticHits: 1, exactHits: 0, misses: 0, semanticHitRatio: 1 });
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
    });

    it('reports similarity 0 on a miss when the scope holds nothing', async () => {
      const { cache } = setup();
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect(await cache.lookup(request(FRANCE, { model: 'gpt-4o' }))).toEqual({ status: 'miss', similarity: 0 });
    });

    it('embeds the question once across a missed lookup and the store that follows it', async () => {
      const { cache, embedder } = setup();
      await cache.lookup(request(FRANCE));
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect(embedder.calls).toBe(1);
    });
  });

  describe('verification', () => {
    it.each([
      ['numbers', 'How many days are in 2 weeks?', 'How many days are in 3 weeks?', 'numbers differ'],
      ['negation', 'Is it safe to eat raw eggs?', 'Is it not safe to eat raw eggs?', 'negation differs'],
      ['entity', 'What is the capital of France?', 'What is the capital of Germany?', 'entities differ'],
      ['direction', 'cheap flights from London to Paris', 'cheap flights from Paris to London', 'key term order differs'],
      ['tense', 'Who is the president of the club?', 'Who was the president of the club?', 'tense differs'],
    ])('refuses a candidate above the threshold whose %s differs, and says why', async (_, stored, asked, reason) => {
      const { cache } = setup({ defaultSimilarityThreshold: 0.3 });
      await cache.store(request(stored), 'stored answer', USAGE);
      const result = await cache.lookup(request(asked));
      expect(result).toMatchObject({ status: 'miss', rejectedReason: reason });
      expect(result.similarity).toBeGreaterThanOrEqual(0.3);
      expect(await cache.stats()).toMatchObject({ verificationRejections: 1 });
    });

    it('lets similarity alone decide when verification is off', async () => {
      const { cache } = setup({ defaultSimilarityThreshold: 0.5, verification: 'off' });
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect((await cache.lookup(request(GERMANY))).status).toBe('semantic');
    });

    it('answers from the best candidate that passes, not merely the nearest', async () => {
      const { cache } = setup({ defaultSimilarityThreshold: 0.5, verification: 'standard' });
      await cache.store(request('Is the museum open on Monday?'), 'yes', USAGE);
      await cache.store(request('Is the museum not open on Monday?'), 'no', USAGE);
      expect(await cache.lookup(request('is the museum open on monday'))).toMatchObject({ status: 'semantic', content: 'yes' });
      expect(await cache.lookup(request('is the museum not open on monday'))).toMatchObject({ status: 'semantic', content: 'no' });
    });
  });

  describe('matching policy', () => {
    const conversation = (question: string) =>
      request(question, {
        messages: [
          { role: 'system', content: 'Answer in one word.' },
          { role: 'user', content: 'Let us talk about Europe.' },
          { role: 'assistant', content: 'Sure.' },
          { role: 'user', content: question },
        ],
      });

    it('matches conversations longer than the configured number of messages exactly only', async () => {
      const { cache } = setup({ policy: { semanticMaxMessages: 2 } });
      await cache.store(conversation(FRANCE), 'Paris', USAGE);
      expect(await cache.lookup(conversation(FRANCE_REWORDED))).toEqual({ status: 'miss', similarity: 0, exactOnlyReason: 'conversation-too-long' });
      expect((await cache.lookup(conversation(FRANCE))).status).toBe('exact');
    });

    it('matches them semantically when the limit allows it', async () => {
      const { cache } = setup({ policy: { semanticMaxMessages: 4 } });
      await cache.store(conversation(FRANCE), 'Paris', USAGE);
      expect((await cache.lookup(conversation(FRANCE_REWORDED))).status).toBe('semantic');
    });

    it('matches a long question exactly only', async () => {
      const { cache } = setup({ policy: { semanticMaxChars: 20 } });
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect(await cache.lookup(request(FRANCE_REWORDED))).toMatchObject({ status: 'miss', exactOnlyReason: 'question-too-long' });
    });

    it('skips semantic matching and embedding when the last message is not from the user', async () => {
      const { cache, embedder } = setup({ recentEmbeddings: 0, policy: { semanticMaxMessages: 10 } });
      const afterAssistant = (answer: string) =>
        request(FRANCE, { messages: [{ role: 'user', content: FRANCE }, { role: 'assistant', content: answer }] });
      await cache.store(afterAssistant('Paris'), 'More about Paris', USAGE);
      expect(await cache.lookup(afterAssistant('Paris!'))).toEqual({ status: 'miss', similarity: 0, exactOnlyReason: 'last-message-not-user' });
      expect(embedder.calls).toBe(0);
    });

    it('neither stores nor looks up sampled requests under the default bypass policy', async () => {
      const { cache, embedder } = setup();
      const sampled = request(FRANCE, { temperature: 0.7 });
      expect(await cache.store(sampled, 'Paris', USAGE)).toEqual({ stored: false, reason: 'sampled-request' });
      expect(await cache.lookup(sampled)).toEqual({ status: 'miss', similarity: 0, bypassed: true });
      expect(embedder.calls).toBe(0);
      expect(await cache.stats()).toMatchObject({ entries: 0, bypassed: 1, misses: 0 });
    });

    it('serves sampled requests byte-identical repeats only under the exact policy', async () => {
      const { cache } = setup({ policy: { sampled: 'exact' } });
      const sampled = (q: string) => request(q, { temperature: 0.7 });
      await cache.store(sampled(FRANCE), 'Paris', USAGE);
      expect((await cache.lookup(sampled(FRANCE))).status).toBe('exact');
      expect(await cache.lookup(sampled(FRANCE_REWORDED))).toMatchObject({ status: 'miss', exactOnlyReason: 'sampled' });
    });

    it('treats sampled requests like deterministic ones under the semantic policy', async () => {
      const { cache } = setup({ policy: { sampled: 'semantic' } });
      await cache.store(request(FRANCE, { temperature: 0.7 }), 'Paris', USAGE);
      expect((await cache.lookup(request(FRANCE_REWORDED, { temperature: 0.7 }))).status).toBe('semantic');
      expect((await cache.lookup(request(FRANCE_REWORDED))).status).toBe('miss');
    });
  });

  describe('isolation', () => {
    it('never shows one tenant an entry stored by another, exactly or semantically', async () => {
      const { cache } = setup();
      await cache.store(request(FRANCE, { tenant: 'team-a' }), 'Paris', USAGE);
      expect(await cache.lookup(request(FRANCE, { tenant: 'team-b' }))).toEqual({ status: 'miss', similarity: 0 });
      expect(await cache.lookup(request(FRANCE_REWORDED, { tenant: 'team-b' }))).toEqual({ status: 'miss', similarity: 0 });
      expect((await cache.lookup(request(FRANCE_REWORDED, { tenant: 'team-a' }))).status).toBe('semantic');
    });

    it.each<[string, Partial<CacheKeyInput>]>([
      ['system prompt', { messages: [{ role: 'system', content: 'Answer in French.' }, { role: 'user', content: FRANCE_REWORDED }] }],
      ['earlier turn', { messages: [{ role: 'user', content: 'Italy?' }, { role: 'user', content: FRANCE_REWORDED }] }],
      ['model', { model: 'gpt-4o' }],
      ['max tokens', { maxTokens: 128 }],
    ])('gives no semantic hit when the %s differs', async (_, change) => {
      const { cache } = setup({ policy: { semanticMaxMessages: 4 } });
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect(await cache.lookup(request(FRANCE_REWORDED, change))).toEqual({ status: 'miss', similarity: 0 });
    });

    it('gives no semantic hit when the temperature differs', async () => {
      const { cache } = setup({ policy: { sampled: 'semantic' } });
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect(await cache.lookup(request(FRANCE_REWORDED, { temperature: 0.7 }))).toEqual({ status: 'miss', similarity: 0 });
    });
  });

  describe('similarity threshold', () => {
    // Verification is off here so that only the threshold decides.
    it('accepts a looser per-request threshold and rejects the same match at the default', async () => {
      const { cache } = setup({ verification: 'off' });
      await cache.store(request(FRANCE), 'Paris', USAGE);
      const strict = await cache.lookup(request(GERMANY));
      const loose = await cache.lookup(request(GERMANY), { similarityThreshold: 0.5 });
      expect(strict.status).toBe('miss');
      expect(loose).toMatchObject({ status: 'semantic', content: 'Paris' });
      // A miss far below the threshold reports the index's estimate; a hit the exact cosine.
      expect(loose.similarity).toBeCloseTo(strict.similarity, 5);
    });

    it('uses the configured default when the request passes 0', async () => {
      const { cache } = setup({ defaultSimilarityThreshold: 0.5, verification: 'off' });
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect((await cache.lookup(request(GERMANY), { similarityThreshold: 0 })).status).toBe('semantic');
    });

    it('applies a tenant threshold unless the request overrides it', async () => {
      const { cache } = setup({ tenantSimilarityThresholds: { 'team-a': 0.5 }, verification: 'off' });
      await cache.store(request(FRANCE), 'Paris', USAGE);
      expect((await cache.lookup(request(GERMANY))).status).toBe('semantic');
      expect((await cache.lookup(request(GERMANY), { similarityThreshold: 0.99 })).status).toBe('miss');
    });

    it('gives a tenant named like an Object.prototype member the default threshold', async () => {
      const { cache } = setup({ tenantSimilarityThresholds: { 'team-a': 0.5 }, verification: 'off' });
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

    it.each([-0.1, 1.01, Number.NaN, Number.POSITIVE_INFINITY])('rejects the threshold %p as similarity_threshold', async (threshold) => {
      const { cache } = setup();
      await expect(cache.lookup(request(FRANCE), { similarityThreshold: threshold })).rejects.toMatchObject({
        constructor: InvalidArgument,
        field: 'similarity_threshold',
      });
    });

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

    it('honours a per-entry TTL over the default and cuts it to the maximum', async () => {
      const { cache, clock } = setup({ defaultTtlSeconds: 3_600, maxTtlSeconds: 10 });
      await cache.store(request(FRANCE), 'Paris', USAGE, 5);
      await cache.store(request(GERMANY), 'Berlin', USAGE, 86_400);
      clock.at += 5_000;
      expect((await cache.lookup(request(FRANCE))).status).toBe('miss');
      expect((await cache.lookup(request(GERMANY))).status).toBe('exact');
      clock.at += 5_000;
      expect((await cache.lookup(request(GERMANY))).status).toBe('miss');
    });

    it('rejects a negative TTL as ttl_seconds', async () => {
      const { cache } = setup();
      await expect(cache.store(request(FRANCE), 'Paris', USAGE, -1)).rejects.toMatchObject({ field: 'ttl_seconds' });
    });
  });

  describe('memory bound', () => {
    it('counts a semantic hit as a use, protecting it from eviction', async () => {
      const { cache } = setup({}, { tenant: { maxEntries: 2, maxBytes: 10_000_000 } });
      await cache.store(request(FRANCE), 'Paris', USAGE);
      await cache.store(request('second question'), 'two', USAGE);
      expect((await cache.lookup(request(FRANCE_REWORDED))).status).toBe('semantic');
      await cache.store(request('third question'), 'three', USAGE);

      expect((await cache.lookup(request(FRANCE))).status).toBe('exact');
      expect((await cache.lookup(request('second question'))).status).toBe('miss');
      expect(await cache.stats()).toMatchObject({ entries: 2, evictions: 1 });
    });

    it('declines an answer too large for the whole cache', async () => {
      const { cache } = setup({}, { maxBytes: 2_000 });
      expect(await cache.store(request(FRANCE), 'x'.repeat(5_000), USAGE)).toEqual({ stored: false, reason: 'too-large' });
      expect(await cache.stats()).toMatchObject({ entries: 0, evictions: 0 });
    });
  });

  describe('invalidation', () => {
    it('removes one request, its scope or the whole tenant, never another tenant', async () => {
      const { cache } = setup();
      const other = request(FRANCE, { tenant: 'team-b' });
      await cache.store(other, 'Paris', USAGE);
      await cache.store(request(FRANCE), 'Paris', USAGE);
      await cache.store(request(GERMANY), 'Berlin', USAGE);
      await cache.store(request('Which river flows through Rome?', { model: 'gpt-4o' }), 'Tiber', USAGE);

      expect(await cache.invalidate({ kind: 'request', tenant: 'team-a', request: request(FRANCE) })).toBe(1);
      expect((await cache.lookup(request(FRANCE))).status).toBe('miss');
      expect(await cache.invalidate({ kind: 'scope', tenant: 'team-a', request: request('anything') })).toBe(1);
      expect((await cache.lookup(request(GERMANY))).status).toBe('miss');
      expect(await cache.invalidate({ kind: 'tenant', tenant: 'team-a' })).toBe(1);
      expect(await cache.stats('team-a')).toMatchObject({ entries: 0 });
      expect((await cache.lookup(other)).status).toBe('exact');
    });

    it('removes the entry a lookup reported by its key', async () => {
      const { cache } = setup();
      await cache.store(request(FRANCE), 'Paris', USAGE);
      const hit = await cache.lookup(request(FRANCE_REWORDED));
      expect(await cache.invalidate({ kind: 'entry', tenant: 'team-b', entryKey: hit.entryKey! })).toBe(0);
      expect(await cache.invalidate({ kind: 'entry', tenant: 'team-a', entryKey: hit.entryKey! })).toBe(1);
      expect((await cache.lookup(request(FRANCE_REWORDED))).status).toBe('miss');
    });

    it.each<[string, Parameters<ResponseCache['invalidate']>[0]]>([
      ['tenant', { kind: 'tenant', tenant: '' }],
      ['entry_key', { kind: 'entry', tenant: 'team-a', entryKey: 'not-a-key' }],
      ['request.tenant', { kind: 'request', tenant: 'team-a', request: request(FRANCE, { tenant: 'team-b' }) }],
      ['scope_of.model', { kind: 'scope', tenant: 'team-a', request: request(FRANCE, { model: '' }) }],
      ['scope_of.messages', { kind: 'scope', tenant: 'team-a', request: request(FRANCE, { messages: [{ role: 'assistant', content: 'x' }] }) }],
    ])('rejects a bad %s', async (field, target) => {
      const { cache } = setup();
      await expect(cache.invalidate(target)).rejects.toMatchObject({ constructor: InvalidArgument, field });
    });
  });

  describe('failures', () => {
    it('degrades to exact-only when the embedder fails: lookups miss, stores still serve exact repeats', async () => {
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

    it('answers a miss when the store fails, and Unavailable for a store or invalidation', async () => {
      const broken = new Proxy({} as CacheStore, {
        get: (_, name) => (name === 'kind' ? 'redis' : () => Promise.reject(new Error('connection refused'))),
      });
      const errors: unknown[] = [];
      const cache = new ResponseCache({ store: broken, embedder: new LexicalHashEmbedder() }, { onStoreError: (e) => errors.push(e) });
      expect(await cache.lookup(request(FRANCE))).toEqual({ status: 'miss', similarity: 0 });
      expect(errors).toHaveLength(1);
      await expect(cache.store(request(FRANCE), 'Paris', USAGE)).rejects.toBeInstanceOf(Unavailable);
      await expect(cache.invalidate({ kind: 'tenant', tenant: 'team-a' })).rejects.toBeInstanceOf(Unavailable);
    });
  });

  describe('invalid input', () => {
    it.each<[string, Partial<CacheKeyInput>]>([
      ['tenant', { tenant: '' }],
      ['tenant', { tenant: '   ' }],
      ['tenant', { tenant: 't'.repeat(257) }],
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
      await expect(cache.store(request(FRANCE), 'Paris', { inputTokens: -1, outputTokens: 0 })).rejects.toMatchObject({
        field: 'usage.input_tokens',
      });
    });
  });
});
