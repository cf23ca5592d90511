import { setTimeout as sleep } from 'node:timers/promises';

/** Waits `ms`; resolves false as soon as `signal` aborts (the client went away), true otherwise. */
export async function waitUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
