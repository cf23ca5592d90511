import { MinShare } from './min-share';

const pattern = (share: MinShare, n: number) => Array.from({ length: n }, () => (share.owedToLessUrgent() ? 'L' : 'U')).join('');

describe('MinShare', () => {
  it('owes nothing at 0%', () => {
    expect(pattern(new MinShare(0), 6)).toBe('UUUUUU');
  });

  it('owes every floor(100 / percent)-th contended grant, so at least that share', () => {
    expect(pattern(new MinShare(50), 6)).toBe('ULULUL');
    expect(pattern(new MinShare(30), 6)).toBe('UULUUL');
    expect(pattern(new MinShare(10), 10)).toBe('UUUUUUUUUL');
  });
});
