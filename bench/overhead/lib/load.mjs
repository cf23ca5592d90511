// Open-loop load: requests leave at a fixed rate whatever the answers do (a slow answer never delays the next one),
// each bounded by its own timeout; the point ends when every request sent has settled.
import { performance } from 'node:perf_hooks';

export async function openLoop(rate, seconds, send) {
  const total = Math.max(1, Math.floor(rate * seconds));
  const intervalMs = 1000 / rate;
  const latencies = [];
  let errors = 0;
  let firstError;
  const started = performance.now();
  let lastDone = started;
  const inFlight = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const t0 = performance.now();
    inFlight.push(
      send(i).then(
        () => {
          const t1 = performance.now();
          latencies.push(t1 - t0);
          lastDone = Math.max(lastDone, t1);
        },
        (err) => {
          errors++;
          firstError ??= err instanceof Error ? err.message : String(err);
          lastDone = Math.max(lastDone, performance.now());
        },
      ),
    );
  }
  const sendSeconds = (performance.now() - started) / 1000;
  await Promise.all(inFlight);
  latencies.sort((a, b) => a - b);
  const elapsed = (lastDone - started) / 1000;
  return {
    offered: rate,
    sent: total,
    ok: latencies.length,
    errors,
    firstError,
    // Answers per second over the time from the first send to the last answer: falls below the offered rate
    // when the system queues work it cannot keep up with.
    achieved: latencies.length / Math.max(elapsed, seconds),
    // Whether the generator itself kept the schedule (it shares the machine).
    sendLag: sendSeconds - seconds * ((total - 1) / total),
    p50: pct(latencies, 50),
    p90: pct(latencies, 90),
    p99: pct(latencies, 99),
  };
}

export function pct(sorted, p) {
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
}

export const round = (x, digits = 3) => (x === null || x === undefined ? x : Math.round(x * 10 ** digits) / 10 ** digits);
