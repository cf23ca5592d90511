/** Milliseconds since the epoch; injected so tests control time. */
export interface Clock {
  now(): number;
}

export type TimerHandle = unknown;

/** The subset of the timer API the admission controller needs; injected so tests control time. */
export interface Timers {
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Node clamps longer delays to 1 ms, so callers must re-arm past this bound. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

// Globals are looked up on every call (not captured) so jest's fake timers apply even when installed late.
export const systemClock: Clock = { now: () => Date.now() };

export const systemTimers: Timers = {
  setTimeout(callback, delayMs) {
    const handle = setTimeout(callback, delayMs);
    // Waiting requests and leases must not keep a process alive on their own; the server does that.
    handle.unref?.();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
