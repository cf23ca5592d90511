import { ConfigError, envJson, loadConfig } from '@switchyard/service-kit';
import { z } from 'zod';
import { modelCatalogSchema } from './catalog-schema';
import { defaultCatalog } from './default-catalog';

const configSchema = z.object({ MODEL_CATALOG: envJson(modelCatalogSchema, defaultCatalog) });

function load(modelCatalog?: string) {
  return loadConfig('model-router', configSchema, { MODEL_CATALOG: modelCatalog }).MODEL_CATALOG;
}

function problemsFor(modelCatalog: string): string[] {
  try {
    load(modelCatalog);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the catalog to be rejected');
}

const entry = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  tier: 'standard',
  costPer1kInput: 0.001,
  costPer1kOutput: 0.002,
  latencyMs: 300,
  quality: 0.9,
  contextWindow: 32_000,
  capabilities: [],
  ...extra,
});

describe('model catalog schema', () => {
  it('loads the default catalog when MODEL_CATALOG is unset, unchanged by validation', () => {
    expect(load()).toEqual(defaultCatalog);
  });

  it("keeps the seed's three chat tiers and one embedding model in the default catalog", () => {
    const byName = Object.fromEntries(load().map((m) => [m.name, m]));
    expect(byName['gpt-4o-mini']).toMatchObject({ tier: 'simple', costPer1kInput: 0.00015, latencyMs: 200 });
    expect(byName['gpt-4o']).toMatchObject({ tier: 'standard', quality: 0.95, contextWindow: 128_000 });
    expect(byName['o1-preview']).toMatchObject({ tier: 'reasoning', capabilities: ['reasoning'] });
    expect(byName['text-embedding-3-small']).toMatchObject({ kind: 'embedding', tier: 'embedding' });
  });

  it('reads a catalog from MODEL_CATALOG, defaulting kind to chat and capabilities to none', () => {
    const { capabilities: _omitted, ...withoutCapabilities } = entry('house-model');
    const models = load(JSON.stringify([withoutCapabilities]));
    expect(models).toEqual([{ ...entry('house-model'), capabilities: [], kind: 'chat' }]);
  });

  it('rejects duplicate model names, naming the model and both entries', () => {
    const problems = problemsFor(JSON.stringify([entry('a'), entry('b'), entry('a')]));
    expect(problems).toEqual([expect.stringContaining('duplicate model name "a" (entries 0 and 2)')]);
    expect(problems[0]).toMatch(/^MODEL_CATALOG( at [\w.]+)?: /);
  });

  it('rejects a catalog with no chat model', () => {
    const problems = problemsFor(JSON.stringify([entry('embedder', { kind: 'embedding' })]));
    expect(problems).toEqual([expect.stringContaining('at least one model of kind "chat"')]);
  });

  it('rejects an empty catalog', () => {
    expect(problemsFor('[]')).toEqual([expect.stringContaining('at least one model')]);
  });

  it('names the entry and field of an out-of-range value', () => {
    const problems = problemsFor(JSON.stringify([entry('ok'), entry('shiny', { quality: 1.5 })]));
    expect(problems).toEqual([expect.stringContaining('model 1 ("shiny") field quality: must be between 0 and 1')]);
  });

  it('rejects a misspelt key instead of ignoring it', () => {
    const problems = problemsFor(JSON.stringify([{ ...entry('typo'), costPer1KInput: 0.5 }]));
    expect(problems.join('\n')).toContain('model 0 ("typo")');
    expect(problems.join('\n')).toContain('costPer1KInput');
  });

  it('rejects an unknown kind and a non-integer context window', () => {
    const problems = problemsFor(JSON.stringify([entry('x', { kind: 'image', contextWindow: 10.5 })]));
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toContain('field kind');
    expect(problems.join('\n')).toContain('field contextWindow');
  });

  it('reports invalid JSON and a non-array value clearly', () => {
    expect(problemsFor('[{')).toEqual([expect.stringContaining('expected valid JSON')]);
    expect(problemsFor('{"name":"x"}')).toEqual([expect.stringContaining('expected a JSON array of model entries')]);
  });
});
