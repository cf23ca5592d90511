import { defaultCatalog } from '../catalog/default-catalog';
import { ModelRouter } from './model-router';

const question = {
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
  requireReasoning: false,
  maxLatencyMs: 0,
  maxTokens: 0,
  tenant: 'acme',
};

describe('ModelRouter', () => {
  it('routes with its configured thresholds', () => {
    expect(new ModelRouter(defaultCatalog).select(question).model).toBe('gpt-4o-mini');
    expect(new ModelRouter(defaultCatalog, { simpleBelow: 0.01, standardBelow: 0.02 }).select(question).model).toBe(
      'o1-preview',
    );
  });

  it('refuses thresholds that would make a tier unreachable', () => {
    expect(() => new ModelRouter(defaultCatalog, { simpleBelow: 0.8, standardBelow: 0.5 })).toThrow(
      /0 <= simpleBelow <= standardBelow <= 1/,
    );
    expect(() => new ModelRouter(defaultCatalog, { defaultMaxOutputTokens: 0 })).toThrow(/defaultMaxOutputTokens/);
  });

  it('lists every model, chat and embedding, with its kind, as copies', () => {
    const router = new ModelRouter(defaultCatalog);
    const listed = router.listModels();
    expect(listed.map((m) => [m.name, m.kind])).toEqual([
      ['gpt-4o-mini', 'chat'],
      ['gpt-4o', 'chat'],
      ['o1-preview', 'chat'],
      ['text-embedding-3-small', 'embedding'],
    ]);
    listed[0]!.capabilities.push('mutated');
    expect(router.listModels()[0]!.capabilities).toEqual(['tools', 'vision']);
  });

  it('lists a model without a kind as chat', () => {
    const { kind: _omitted, ...noKind } = defaultCatalog[0]!;
    expect(new ModelRouter([noKind]).listModels()[0]!.kind).toBe('chat');
  });
});
