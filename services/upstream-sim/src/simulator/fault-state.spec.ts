import { FaultState, type Faults } from './fault-state';

const initial: Faults = { errorRate: 0, errorStatus: 500, latencyMs: 20, throttle: false, throttleRate: 0, throttleRetryAfterMs: 1000, hangRate: 0 };

const draws = (state: FaultState, n: number) => Array.from({ length: n }, () => state.drawError());

describe('FaultState', () => {
  it('never injects with error rate 0 and always with error rate 1', () => {
    const state = new FaultState(initial, 1);
    expect(draws(state, 100).every((s) => s === undefined)).toBe(true);
    state.update({ errorRate: 1, errorStatus: 503 });
    expect(draws(state, 100).every((s) => s === 503)).toBe(true);
  });

  it('injects the same requests on every run with the same seed', () => {
    const a = new FaultState({ ...initial, errorRate: 0.3 }, 99);
    const b = new FaultState({ ...initial, errorRate: 0.3 }, 99);
    expect(draws(b, 200)).toEqual(draws(a, 200));
  });

  it('injects a different pattern with a different seed', () => {
    const a = new FaultState({ ...initial, errorRate: 0.3 }, 1);
    const b = new FaultState({ ...initial, errorRate: 0.3 }, 2);
    expect(draws(b, 200)).not.toEqual(draws(a, 200));
  });

  it('injects close to the configured fraction of requests', () => {
    const state = new FaultState({ ...initial, errorRate: 0.25 }, 5);
    const failed = draws(state, 4000).filter((s) => s !== undefined).length;
    expect(failed / 4000).toBeGreaterThan(0.22);
    expect(failed / 4000).toBeLessThan(0.28);
  });

  it('changes only the fields a patch names', () => {
    const state = new FaultState(initial, 1);
    expect(state.update({ throttle: true, latencyMs: undefined })).toEqual({ ...initial, throttle: true });
  });

  it('reset restores the configured faults and replays the PRNG sequence', () => {
    const state = new FaultState({ ...initial, errorRate: 0.5 }, 3);
    const first = draws(state, 50);
    state.update({ errorRate: 1, throttle: true });
    state.reset();
    expect(state.current()).toEqual({ ...initial, errorRate: 0.5 });
    expect(draws(state, 50)).toEqual(first);
  });

  it('throttles always while `throttle` is on, else a `throttleRate` share; hangs a `hangRate` share', () => {
    const state = new FaultState(initial, 9);
    expect(Array.from({ length: 50 }, () => state.drawThrottle()).some(Boolean)).toBe(false);
    state.update({ throttle: true });
    expect(Array.from({ length: 50 }, () => state.drawThrottle()).every(Boolean)).toBe(true);
    state.update({ throttle: false, throttleRate: 0.3, hangRate: 0.2 });
    const throttled = Array.from({ length: 4000 }, () => state.drawThrottle()).filter(Boolean).length;
    const hung = Array.from({ length: 4000 }, () => state.drawHang()).filter(Boolean).length;
    expect(throttled / 4000).toBeGreaterThan(0.26);
    expect(throttled / 4000).toBeLessThan(0.34);
    expect(hung / 4000).toBeGreaterThan(0.17);
    expect(hung / 4000).toBeLessThan(0.23);
  });
});
