/** Wall-clock time in milliseconds since the epoch; injected so tests control it. */
export interface Clock {
  now(): number;
}

/** The timer calls the batcher needs; injected so tests can drive them (jest fake timers or a manual scheduler). */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = { now: () => Date.now() };

// The globals are looked up on every call, so jest fake timers installed after import still take effect.
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
