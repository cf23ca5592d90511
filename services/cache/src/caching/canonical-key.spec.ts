import { exactKey, semanticQuery } from './canonical-key';
import type { CacheKeyInput } from './types';

const base: CacheKeyInput = {
  tenant: 'team-a',
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'What is the capital of France?' },
  ],
  temperature: 0,
  maxTokens: 256,
};

describe('exactKey', () => {
  it('is a SHA-256 hex digest that is the same for the same request', () => {
    expect(exactKey(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(exactKey(structuredClone(base))).toBe(exactKey(base));
  });

  it.each<[string, Partial<CacheKeyInput>]>([
    ['tenant', { tenant: 'team-b' }],
    ['model', { model: 'gpt-4o' }],
    ['temperature', { temperature: 0.7 }],
    ['max tokens', { maxTokens: 512 }],
    ['a message role', { messages: [{ role: 'developer', content: 'You are terse.' }, base.messages[1]] }],
    ['a message content', { messages: [base.messages[0], { role: 'user', content: `${base.messages[1].content} ` }] }],
    ['message order', { messages: [base.messages[1], base.messages[0]] }],
    ['an extra message', { messages: [...base.messages, { role: 'user', content: '' }] }],
  ])('changes when the %s changes', (_, change) => {
    expect(exactKey({ ...base, ...change })).not.toBe(exactKey(base));
  });

  it('cannot be fooled by moving text across a field boundary', () => {
    const a = { ...base, tenant: 'team-a', model: 'x' };
    const b = { ...base, tenant: 'team-', model: 'ax' };
    const c = { ...base, messages: [{ role: 'user', content: 'ab' }] };
    const d = { ...base, messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] };
    expect(exactKey(a)).not.toBe(exactKey(b));
    expect(exactKey(c)).not.toBe(exactKey(d));
  });
});

describe('semanticQuery', () => {
  const scopeOf = (input: CacheKeyInput) => semanticQuery(input, 'emb')!.scope;

  it('compares the last user message within a scope that ignores it', () => {
    const query = semanticQuery(base, 'emb')!;
    expect(query.text).toBe('What is the capital of France?');
    const rephrased = { ...base, messages: [base.messages[0], { role: 'user', content: "what's the capital" }] };
    expect(scopeOf(rephrased)).toBe(query.scope);
  });

  it.each<[string, Partial<CacheKeyInput>]>([
    ['tenant', { tenant: 'team-b' }],
    ['model', { model: 'gpt-4o' }],
    ['temperature', { temperature: 0.7 }],
    ['max tokens', { maxTokens: 512 }],
    ['system prompt', { messages: [{ role: 'system', content: 'You are verbose.' }, base.messages[1]] }],
    [
      'earlier turns',
      { messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hi' }, base.messages[1]] },
    ],
  ])('puts a request with a different %s in a different scope', (_, change) => {
    expect(scopeOf({ ...base, ...change })).not.toBe(scopeOf(base));
  });

  it('separates the vector spaces of different embedders', () => {
    expect(semanticQuery(base, 'emb-a')!.scope).not.toBe(semanticQuery(base, 'emb-b')!.scope);
  });

  it('does not apply when the last message is not from the user', () => {
    for (const role of ['assistant', 'tool', 'system']) {
      const input = { ...base, messages: [...base.messages, { role, content: 'Paris' }] };
      expect(semanticQuery(input, 'emb')).toBeUndefined();
    }
  });
});
