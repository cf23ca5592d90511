import { countChatTokens, countTextTokens } from './index';

describe('token counting', () => {
  it('counts a short English sentence in the o200k encoding', () => {
    expect(countTextTokens('What is the capital of France?')).toBe(7);
  });

  it('counts zero tokens for empty text', () => {
    expect(countTextTokens('')).toBe(0);
  });

  it('adds per-message overhead to chat prompts', () => {
    const one = countChatTokens([{ role: 'user', content: 'hello there' }]);
    const two = countChatTokens([
      { role: 'user', content: 'hello there' },
      { role: 'assistant', content: 'hello there' },
    ]);
    expect(one).toBe(3 + 3 + countTextTokens('user') + countTextTokens('hello there'));
    expect(two - one).toBe(3 + countTextTokens('assistant') + countTextTokens('hello there'));
  });
});
