import { ResourceExhausted, Unavailable } from '@switchyard/service-kit/errors';
import { chooseRegion, type ChoosePolicy, type RegionSnapshot } from './choose-region';
import { regionDistance } from './region-distance';

const policy: ChoosePolicy = { preferThreshold: 0.8, saturationThreshold: 0.9, distance: regionDistance() };

function snap(name: string, load: number, extra: Partial<RegionSnapshot> = {}): RegionSnapshot {
  return { name, load, msUntilAvailable: 0, msUntilUnsaturated: 0, ...extra };
}

describe('chooseRegion', () => {
  it("keeps the user's region while its load is under 0.8, even if another region is idler", () => {
    const decision = chooseRegion('westus', [snap('eastus', 0.1), snap('westus', 0.79)], policy);
    expect(decision.region).toBe('westus');
    expect(decision.reason).toContain('user region westus has headroom');
  });

  it("overflows from a busy user region to the least-loaded region", () => {
    const decision = chooseRegion(
      'eastus',
      [snap('eastus', 0.85), snap('westus', 0.5), snap('westeurope', 0.4), snap('eastasia', 0.6)],
      policy,
    );
    expect(decision.region).toBe('westeurope');
    expect(decision.reason).toContain('user region eastus busy (load 0.85 >= 0.8)');
  });

  it('breaks a tie on load by distance from the user region', () => {
    const decision = chooseRegion('eastus', [snap('eastus', 0.85), snap('eastasia', 0.3), snap('westus', 0.3), snap('westeurope', 0.3)], policy);
    expect(decision).toMatchObject({ region: 'westus', distance: 1 });
  });

  it('may pick the busy user region itself when it is still the least loaded below saturation', () => {
    const decision = chooseRegion('eastus', [snap('eastus', 0.82), snap('westus', 0.85)], policy);
    expect(decision.region).toBe('eastus');
  });

  it('throws ResourceExhausted with the soonest recovery when every region is saturated', () => {
    const regions = [
      snap('eastus', 0.95, { msUntilUnsaturated: 4_000 }),
      snap('westus', 0.5, { blocked: 'cooling', msUntilAvailable: 1_500, msUntilUnsaturated: 0 }),
      snap('eastasia', 0.9, { msUntilUnsaturated: 2_500 }),
    ];
    let caught: unknown;
    try {
      chooseRegion('eastus', regions, policy);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ResourceExhausted);
    expect((caught as ResourceExhausted).message).toMatch(/^no region has capacity/);
    expect((caught as ResourceExhausted).message).toContain('westus cooling down (1500 ms left)');
    expect((caught as ResourceExhausted).retryAfterMs).toBe(1_500);
  });

  it('skips regions cooling down and regions already tried', () => {
    const decision = chooseRegion(
      'eastus',
      [snap('eastus', 0.1, { blocked: 'cooling', msUntilAvailable: 500 }), snap('westus', 0.2), snap('westeurope', 0.3)],
      policy,
      new Set(['westus']),
    );
    expect(decision.region).toBe('westeurope');
    expect(decision.reason).toContain('user region eastus cooling down (500 ms left)');
  });

  it('says no region is left when every candidate was already tried', () => {
    expect(() => chooseRegion('eastus', [snap('eastus', 0)], policy, new Set(['eastus']))).toThrow(
      /no region left to try/,
    );
  });

  it('treats an unknown or empty user region as "no preference"', () => {
    expect(chooseRegion('mars', [snap('eastus', 0.3), snap('westus', 0.2)], policy).region).toBe('westus');
    expect(chooseRegion('', [snap('eastus', 0.3), snap('westus', 0.2)], policy).reason).toMatch(/^no user region given/);
  });

  it('answers Unavailable, not ResourceExhausted, when every remaining region is out because its breaker is open', () => {
    const failing = [
      snap('westeurope', 0, { blocked: 'breaker-open', msUntilAvailable: 4_000 }),
      snap('northeurope', 0, { blocked: 'probe-in-flight' }),
    ];
    let caught: unknown;
    try {
      chooseRegion('westeurope', failing, policy);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Unavailable);
    expect((caught as Unavailable).message).toBe(
      'every region this request may use is failing: westeurope breaker open (probe in 4000 ms), northeurope breaker half-open (probe in flight)',
    );
    expect((caught as Unavailable).retryAfterMs).toBe(4_000);
    // One of them out for capacity only: that is a wait, not an outage.
    expect(() => chooseRegion('westeurope', [failing[0]!, snap('northeurope', 0, { blocked: 'cooling', msUntilAvailable: 300 })], policy)).toThrow(ResourceExhausted);
  });

  it('marks the choice of a region whose breaker is due for its probe', () => {
    const decision = chooseRegion('eastus', [snap('eastus', 0, { probe: true }), snap('westus', 0.5)], policy);
    expect(decision).toMatchObject({ region: 'eastus', probe: true });
    expect(decision.reason).toBe('user region eastus has headroom (load 0.00 < 0.8) [half-open probe]');
  });
});
