import { DEFAULT_MATCHING_POLICY, tiersFor } from './matching-policy';
import type { CacheKeyInput } from './types';

const input = (overrides: Partial<CacheKeyInput> = {}): CacheKeyInput => ({
  tenant: 't',
  model: 'm',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'What is the capital of France?' },
  ],
  temperature: 0,
  maxTokens: 0,
  ...overrides,
});

describe('tiersFor', () => {
  it('uses both tiers for one question with a system prompt by default', () => {
    expect(tiersFor(input(), DEFAULT_MATCHING_POLICY)).toEqual({ kind: 'exact-and-semantic' });
  });

  it('is exact-only for a conversation longer than the limit', () => {
    const messages = [...input().messages, { role: 'assistant', content: 'Paris' }, { role: 'user', content: 'And Spain?' }];
    expect(tiersFor(input({ messages }), DEFAULT_MATCHING_POLICY)).toEqual({ kind: 'exact-only', reason: 'conversation-too-long' });
    expect(tiersFor(input({ messages }), { ...DEFAULT_MATCHING_POLICY, semanticMaxMessages: 4 })).toEqual({ kind: 'exact-and-semantic' });
  });

  it.each([
    ['bypass', { kind: 'bypass' }],
    ['exact', { kind: 'exact-only', reason: 'sampled' }],
    ['semantic', { kind: 'exact-and-semantic' }],
  ] as const)('applies the %s policy to temperature > 0', (sampled, tiers) => {
    expect(tiersFor(input({ temperature: 0.2 }), { ...DEFAULT_MATCHING_POLICY, sampled })).toEqual(tiers);
  });
});
