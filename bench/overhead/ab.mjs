// A/B of a code change: the same topology started from two built checkouts (this one, "after", and --baseline,
// "before"), loaded alternately point by point in one run, so a hot-path change is measured side by side on the
// same noisy machine. Reports p50/p99 and CPU seconds per 1 000 answered requests (all processes, upstream-sim included).
// Usage (both checkouts built): node bench/overhead/ab.mjs --baseline /path/to/other/checkout
//   [--topology processes|one-process] [--path grpc|http] [--rates 50,100,200] [--seconds 4] [--rounds 2] [--tracing off|on]
// Bounded: rounds × rates × 2 points of --seconds each, every request with its own timeout, hard stop at 10 minutes.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLoop, round } from './lib/load.mjs';
import { OVERHEAD_ENV, startZeroLatencySim, TRACING_OFF, tracingOn } from './lib/bench-env.mjs';
import { cpuSeconds, startNode } from './lib/proc.mjs';
import { arg, grpcSender, httpSender } from './lib/senders.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const require = createRequire(import.meta.url);

const baseline = arg('baseline') && path.resolve(arg('baseline'));
if (!baseline || !fs.existsSync(path.join(baseline, 'libs/local-stack/dist/index.js'))) {
  console.error('--baseline must name another built checkout of this repository');
  process.exit(2);
}
const topology = arg('topology', 'processes');
const via = arg('path', 'grpc');
const rates = arg('rates', '50,100,200').split(',').map(Number);
const seconds = Number(arg('seconds', 4));
const rounds = Number(arg('rounds', 2));
const tracing = arg('tracing', 'off');
const MAX_RUN_MS = 10 * 60_000;
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-ab-'));
delete process.env.REDIS_URL;

const running = [];
const cleanup = async () => {
  for (const r of running.reverse()) await r.stop().catch(() => undefined);
};
setTimeout(() => {
  console.error('A/B run exceeded 10 min: stopping');
  cleanup().finally(() => process.exit(2));
}, MAX_RUN_MS).unref();

const sink = await startNode('otlp-sink', [path.join(here, 'otlp-sink.mjs')], { logFile: path.join(logDir, 'sink.log') });
running.push(sink);
const tracingEnv = tracing === 'on' ? tracingOn(sink.address) : TRACING_OFF;

async function startSide(label, checkout) {
  const localStack = require(path.join(checkout, 'libs/local-stack/dist/index.js'));
  const { sim, regions } = await startZeroLatencySim(localStack, checkout, path.join(logDir, `${label}-sim.log`));
  running.push(sim);
  const stack = await localStack.startStack({ ports: 'free', topology, regions, logDir: path.join(logDir, label), env: { ...OVERHEAD_ENV, ...tracingEnv } });
  running.push(stack);
  const pids = [...stack.services.filter((s) => !s.name.startsWith('upstream-sim')), sim].map((s) => ({ name: s.name, pid: s.pid }));
  return { label, checkout, stack, pids, send: (via === 'http' ? httpSender(stack.gatewayHttpUrl) : grpcSender(stack.gatewayAddress)).send };
}

async function point(side, rate) {
  const before = side.pids.map((p) => cpuSeconds(p.pid));
  const r = await openLoop(rate, seconds, side.send);
  const cpu = side.pids.reduce((sum, p, i) => sum + (cpuSeconds(p.pid) - before[i]), 0);
  return { ...r, cpuPer1k: round((cpu / Math.max(1, r.ok)) * 1000, 2) };
}

try {
  const sides = [await startSide('after', root), await startSide('before', baseline)];
  console.log(`A/B ${topology} over ${via}, tracing ${tracing}: after = ${root}, before = ${baseline}; logs ${logDir}`);
  for (const side of sides) await openLoop(50, 2, side.send); // warm-up
  const rows = [];
  for (let r = 0; r < rounds; r++) {
    for (const rate of rates) {
      // Alternate which side goes first so neither always follows the other's load.
      for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
        const row = { side: side.label, rate, ...(await point(side, rate)) };
        rows.push(row);
        console.log(`${side.label.padEnd(6)} ${String(rate).padStart(4)}/s  ok ${row.ok} err ${row.errors}  p50 ${row.p50} p99 ${row.p99} ms  cpu ${row.cpuPer1k} s/1k${row.firstError ? `  first error: ${row.firstError}` : ''}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  }
  console.log('\nmedian over rounds (after ÷ before):');
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  for (const rate of rates) {
    const of = (label, key) => median(rows.filter((x) => x.side === label && x.rate === rate && x[key] !== null).map((x) => x[key]));
    const cells = ['p50', 'p99', 'cpuPer1k'].map((k) => `${k} ${of('after', k)} vs ${of('before', k)} (${round(of('after', k) / of('before', k), 2)}×)`);
    console.log(`${String(rate).padStart(4)}/s  ${cells.join('   ')}`);
  }
} finally {
  await cleanup();
}
