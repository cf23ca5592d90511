import fs from 'node:fs';
import path from 'node:path';
import { ResponseCache, type ResponseCacheOptions } from '../src/caching';
import { DEFAULT_MATCHING_POLICY } from '../src/caching/matching-policy';
import { LexicalHashEmbedder } from '../src/embedding';
import { MemoryCacheStore } from '../src/store';

interface Pair {
  category: string;
  a: string;
  b: string;
  paraphrase: boolean;
}

const { pairs } = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'paraphrase-pairs.json'), 'utf8')) as { pairs: Pair[] };

/** Stores each pair's first question, asks the second (each pair in a tenant of its own); which were answered? */
async function answered(options: ResponseCacheOptions): Promise<boolean[]> {
  const clock = { now: () => 1_700_000_000_000 };
  const store = new MemoryCacheStore({
    bounds: { maxEntries: 10_000, maxBytes: 100_000_000, tenant: { maxEntries: 10, maxBytes: 1_000_000 } },
    clock,
  });
  const cache = new ResponseCache({ store, embedder: new LexicalHashEmbedder() }, options);
  const request = (tenant: string, question: string) => ({
    tenant,
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: question }],
    temperature: 0,
    maxTokens: 0,
  });
  const results: boolean[] = [];
  for (const [i, pair] of pairs.entries()) {
    await cache.store(request(`pair-${i}`, pair.a), 'answer', { inputTokens: 1, outputTokens: 1 });
    results.push((await cache.lookup(request(`pair-${i}`, pair.b))).status !== 'miss');
  }
  await store.close();
  return results;
}

describe('the labelled paraphrase set (test/fixtures/paraphrase-pairs.json)', () => {
  it('holds at least 200 labelled pairs of both kinds', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(200);
    expect(pairs.filter((p) => p.paraphrase).length).toBeGreaterThanOrEqual(100);
    expect(pairs.filter((p) => !p.paraphrase).length).toBeGreaterThanOrEqual(100);
  });

  it('serves no false hit with the default configuration (local embedder, default threshold and verification)', async () => {
    expect(DEFAULT_MATCHING_POLICY.semanticMaxChars).toBeGreaterThanOrEqual(Math.max(...pairs.map((p) => p.b.length)));
    const hits = await answered({});
    const falseHits = pairs.filter((pair, i) => hits[i] && !pair.paraphrase).map((p) => `${p.a} => ${p.b}`);
    expect(falseHits).toEqual([]);
    // Guards the other direction too: verification must not make the semantic tier useless.
    const paraphraseHits = pairs.filter((pair, i) => hits[i] && pair.paraphrase).length;
    expect(paraphraseHits / pairs.filter((p) => p.paraphrase).length).toBeGreaterThan(0.4);
  });
});
