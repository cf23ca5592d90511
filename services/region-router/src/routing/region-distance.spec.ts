import { RegionDistancesSchema, regionDistance } from './region-distance';

describe('regionDistance', () => {
  const distance = regionDistance();

  it("uses the seed's table in either order", () => {
    expect(distance('eastus', 'westus')).toBe(1);
    expect(distance('westus', 'eastus')).toBe(1);
    expect(distance('eastasia', 'eastus')).toBe(3);
    expect(distance('westus', 'eastasia')).toBe(2);
  });

  it('is 0 within a region and 2 for a pair nobody listed', () => {
    expect(distance('westeurope', 'westeurope')).toBe(0);
    expect(distance('eastus', 'brazilsouth')).toBe(2);
  });

  it('accepts a configured table and rejects malformed keys', () => {
    const custom = regionDistance(RegionDistancesSchema.parse({ 'eastus:brazilsouth': 1 }), 5);
    expect(custom('brazilsouth', 'eastus')).toBe(1);
    expect(custom('eastus', 'westus')).toBe(5);
    expect(RegionDistancesSchema.safeParse({ eastus: 1 }).success).toBe(false);
  });
});
