// A hard case for HNSW: templated questions ("What was the capital of France in 1072?") whose lexical vectors
// sit at nearly equal distances from their siblings, which can leave graph nodes unreachable. Stores 10 000 of
// them in 10 scopes through the real ResponseCache + MemoryCacheStore, then asks two kinds of rewording
// (same text after normalisation; a changed function word) for 2000 of them and counts correct semantic hits,
// for several index settings. Build once first: npx nx run cache:build
//
//   node bench/cache/template-recall.mjs
import { createRequire } from 'node:module';
import os from 'node:os';

const require = createRequire(import.meta.url);
const { ResponseCache } = require('../../services/cache/dist/caching');
const { LexicalHashEmbedder } = require('../../services/cache/dist/embedding');
const { MemoryCacheStore } = require('../../services/cache/dist/store');

const SUBJECTS = ['France', 'Germany', 'Japan', 'Brazil', 'Canada', 'Kenya', 'Norway', 'Peru', 'India', 'Egypt'];
const ASPECTS = ['capital', 'population', 'currency', 'largest city', 'official language', 'national dish', 'highest mountain', 'longest river'];
const question = (i) => `What was the ${ASPECTS[i % ASPECTS.length]} of ${SUBJECTS[Math.floor(i / ASPECTS.length) % SUBJECTS.length]} in ${1000 + Math.floor(i / 80)}?`;
const REWORDINGS = {
  'same normalised text': (i) => `Hi, can you tell me ${question(i).toLowerCase()}`,
  'changed function word': (i) => question(i).replace('What was', 'Which was'),
};
const key = (i, text) => ({ tenant: 'bench', model: 'm', messages: [{ role: 'system', content: `assistant ${i % 10}` }, { role: 'user', content: text }], temperature: 0, maxTokens: 0 });
const SETTINGS = {
  'HNSW from 64 vectors, M 16': { flatLimit: 64, hnsw: { connectivity: 16 } },
  'HNSW from 64 vectors, M 32': { flatLimit: 64, hnsw: { connectivity: 32 } },
  'exact scan up to 1024 (default), M 16': { flatLimit: 1024, hnsw: { connectivity: 16 } },
};

console.log(`# templated questions: 10000 entries in 10 scopes of 1000, 2000 lookups per rewording, node ${process.version}, ${new Date().toISOString()}`);
console.log('| index | rewording | correct semantic hits |');
console.log('| --- | --- | --- |');
for (const [label, index] of Object.entries(SETTINGS)) {
  const store = new MemoryCacheStore({ bounds: { maxEntries: 100_000, maxBytes: 1e9, tenant: { maxEntries: 100_000, maxBytes: 1e9 } }, clock: { now: () => 1 }, index });
  const cache = new ResponseCache({ store, embedder: new LexicalHashEmbedder() });
  for (let i = 0; i < 10_000; i++) await cache.store(key(i, question(i)), `answer ${i}`, { inputTokens: 1, outputTokens: 1 });
  for (const [rewording, ask] of Object.entries(REWORDINGS)) {
    let right = 0;
    for (let n = 0; n < 2_000; n++) {
      const i = (n * 7919) % 10_000;
      const result = await cache.lookup(key(i, ask(i)));
      if (result.status === 'semantic' && result.content === `answer ${i}`) right++;
    }
    console.log(`| ${label} | ${rewording} | ${right} / 2000 |`);
  }
  await store.close();
}
console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
