import { splitProportionally } from './split-proportionally';

describe('splitProportionally', () => {
  it('splits in proportion to the weights', () => {
    expect(splitProportionally(100, [1, 3])).toEqual([25, 75]);
  });

  it('always adds up to the total, giving remainders to the largest fractions first', () => {
    expect(splitProportionally(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitProportionally(7, [5, 3, 2])).toEqual([4, 2, 1]);
    for (let total = 0; total < 50; total += 1) {
      expect(splitProportionally(total, [3, 7, 11, 0, 2]).reduce((a, b) => a + b, 0)).toBe(total);
    }
  });

  it('gives a zero weight nothing', () => {
    expect(splitProportionally(9, [0, 3])).toEqual([0, 9]);
  });

  it('splits evenly when every weight is zero', () => {
    expect(splitProportionally(5, [0, 0])).toEqual([3, 2]);
  });

  it('returns nothing for no weights', () => {
    expect(splitProportionally(5, [])).toEqual([]);
  });
});
