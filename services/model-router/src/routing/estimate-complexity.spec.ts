import { complexityTier, estimateComplexity } from './estimate-complexity';

describe('estimateComplexity', () => {
  it('scores a short plain question by length and the short-context factor only', () => {
    const text = 'What is the capital of France?';
    expect(estimateComplexity({ text, contextTokens: 14 })).toBeCloseTo((text.length / 5000 + 0 + 0.2) / 3, 10);
  });

  it('counts each distinct keyword once, case-insensitively, capped at three', () => {
    const two = 'Analyze this and COMPARE it; then analyze again.';
    expect(estimateComplexity({ text: two, contextTokens: 20 })).toBeCloseTo((two.length / 5000 + 2 / 3 + 0.2) / 3, 10);
    const five = 'analyze compare design optimize debug';
    expect(estimateComplexity({ text: five, contextTokens: 20 })).toBeCloseTo((five.length / 5000 + 1 + 0.2) / 3, 10);
  });

  it('matches keywords inside longer words, as the seed does', () => {
    const text = 'debugging a redesigned cache';
    expect(estimateComplexity({ text, contextTokens: 10 })).toBeCloseTo((text.length / 5000 + 2 / 3 + 0.2) / 3, 10);
  });

  it('caps the length factor at 5000 characters', () => {
    expect(estimateComplexity({ text: 'x'.repeat(20_000), contextTokens: 10 })).toBeCloseTo((1 + 0 + 0.2) / 3, 10);
  });

  it('uses 0.8 for the context factor only above 10000 tokens', () => {
    expect(estimateComplexity({ text: '', contextTokens: 10_000 })).toBeCloseTo(0.2 / 3, 10);
    expect(estimateComplexity({ text: '', contextTokens: 10_001 })).toBeCloseTo(0.8 / 3, 10);
  });
});

describe('complexityTier', () => {
  const seedThresholds = { simpleBelow: 0.3, standardBelow: 0.7 };

  it("maps to the seed's tiers at 0.3 and 0.7, lower bound inclusive", () => {
    expect(complexityTier(0.29, seedThresholds)).toBe('simple');
    expect(complexityTier(0.3, seedThresholds)).toBe('standard');
    expect(complexityTier(0.69, seedThresholds)).toBe('standard');
    expect(complexityTier(0.7, seedThresholds)).toBe('reasoning');
  });

  it('follows configured thresholds', () => {
    expect(complexityTier(0.29, { simpleBelow: 0.2, standardBelow: 0.5 })).toBe('standard');
    expect(complexityTier(0.5, { simpleBelow: 0.2, standardBelow: 0.5 })).toBe('reasoning');
  });
});
