import { performance } from 'node:perf_hooks';

/**
 * Sends `send()` at a fixed rate for `durationMs`, whatever the answers do (open loop: a slow answer does
 * not delay the next request, as with real independent callers). Each tick is scheduled from the start
 * time, so timer drift does not add up. Resolves when every request sent has settled.
 */
export async function openLoop(ratePerSecond: number, durationMs: number, send: (index: number) => Promise<void>): Promise<number> {
  const intervalMs = 1000 / ratePerSecond;
  const total = Math.floor((durationMs / 1000) * ratePerSecond);
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(i));
  }
  await Promise.all(inFlight);
  return total;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}
