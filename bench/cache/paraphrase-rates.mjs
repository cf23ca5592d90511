// False-hit rate and paraphrase hit rate of the semantic tier on the labelled pairs in
// services/cache/test/fixtures/paraphrase-pairs.json, with the local (lexical) embedder, for each
// verification mode and a range of thresholds. Each pair: store `a`, ask `b`, same tenant and context.
// Build once first: npx nx run cache:build
//
//   node bench/cache/paraphrase-rates.mjs
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { ResponseCache } = require('../../services/cache/dist/caching');
const { LexicalHashEmbedder } = require('../../services/cache/dist/embedding');
const { MemoryCacheStore } = require('../../services/cache/dist/store');

const fixture = new URL('../../services/cache/test/fixtures/paraphrase-pairs.json', import.meta.url);
const { pairs } = JSON.parse(fs.readFileSync(fixture, 'utf8'));
const positives = pairs.filter((p) => p.paraphrase).length;
const negatives = pairs.length - positives;

async function evaluate(verification, threshold) {
  const store = new MemoryCacheStore({
    bounds: { maxEntries: 10_000, maxBytes: 100_000_000, tenant: { maxEntries: 10, maxBytes: 1_000_000 } },
    clock: { now: () => 1_700_000_000_000 },
  });
  const cache = new ResponseCache({ store, embedder: new LexicalHashEmbedder() }, { verification, defaultSimilarityThreshold: threshold });
  const request = (tenant, question) => ({ tenant, model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }], temperature: 0, maxTokens: 0 });
  const falseHits = [];
  const byCategory = new Map();
  let paraphraseHits = 0;
  for (const [i, pair] of pairs.entries()) {
    await cache.store(request(`pair-${i}`, pair.a), 'answer', { inputTokens: 1, outputTokens: 1 });
    const result = await cache.lookup(request(`pair-${i}`, pair.b));
    const hit = result.status !== 'miss';
    if (hit && pair.paraphrase) paraphraseHits++;
    if (hit && !pair.paraphrase) falseHits.push(`${result.similarity.toFixed(3)}  ${pair.a}  =>  ${pair.b}`);
    const row = byCategory.get(pair.category) ?? { paraphrase: pair.paraphrase, pairs: 0, hits: 0 };
    row.pairs++;
    if (hit) row.hits++;
    byCategory.set(pair.category, row);
  }
  await store.close();
  return { paraphraseHits, falseHits, byCategory };
}

console.log(`# ${pairs.length} labelled pairs (${positives} paraphrases, ${negatives} non-paraphrases), local embedder, ${new Date().toISOString()}`);
console.log('| verification | threshold | false hits | false-hit rate | paraphrase hits | paraphrase hit rate |');
console.log('| --- | --- | --- | --- | --- | --- |');
const details = [];
for (const verification of ['strict', 'standard', 'off']) {
  for (const threshold of [0.8, 0.85, 0.9, 0.95, 0.98]) {
    const { paraphraseHits, falseHits, byCategory } = await evaluate(verification, threshold);
    const pct = (n, d) => `${((100 * n) / d).toFixed(1)} %`;
    console.log(`| ${verification} | ${threshold} | ${falseHits.length} / ${negatives} | ${pct(falseHits.length, negatives)} | ${paraphraseHits} / ${positives} | ${pct(paraphraseHits, positives)} |`);
    if (threshold === 0.95 && verification === 'strict') details.push(['default (strict, 0.95): hits per category', byCategory]);
    if (falseHits.length > 0 && threshold === 0.9) details.push([`false hits with ${verification} at ${threshold}`, falseHits]);
  }
}
for (const [title, value] of details) {
  console.log(`\n## ${title}`);
  if (value instanceof Map) for (const [category, row] of value) console.log(`- ${category} (${row.paraphrase ? 'paraphrases' : 'non-paraphrases'}): ${row.hits} / ${row.pairs} hit`);
  else for (const line of value) console.log(`- ${line}`);
}
