/**
 * Time as domain code sees it: a clock and timers passed in, so tests control both (a fake clock, jest fake
 * timers or a manual scheduler). This file imports nothing, so pure domain code may use it
 * (`@switchyard/service-kit/clock`) without pulling in gRPC.
 */

/** Milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** Opaque: only the Timers that returned it knows what it is, and only its clearTimeout accepts it. */
export type TimerHandle = unknown;

/** The subset of the timer API domain code needs. */
export interface Timers {
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Node clamps longer delays to 1 ms, so callers must re-arm past this bound. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

// Every function below looks the global up when called (never captured at import), so jest fake timers
// installed after this module was loaded still take effect.

export const systemClock: Clock = { now: () => Date.now() };

/** Node's timers as they are: a pending timer keeps the process alive (a batch window, a dispatch deadline). */
export const systemTimers: Timers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Timers that do not keep the process alive on their own: for waits (queued requests, leases) that only
 * matter while something else, the server, keeps it running.
 */
export const unrefTimers: Timers = {
  setTimeout(callback, delayMs) {
    const handle = setTimeout(callback, delayMs);
    // Fake timers may hand back a handle without unref().
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
