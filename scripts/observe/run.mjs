#!/usr/bin/env node
// Renders the Grafana dashboard's key panels from a real run, into docs/images/observe-*.svg:
//   1. builds the workspace and starts the local stack (six services, four simulated regions) with a
//      Prometheus endpoint per process (OTEL_METRICS_EXPORTER=prometheus; local-stack gives each its port);
//   2. starts Prometheus (apt-get install -y prometheus) scraping them every 2 s;
//   3. sends a bounded open-loop gRPC load to 127.0.0.1 in four phases (warm-up, peak, upstream faults, recovery);
//   4. queries the very PromQL of deploy/grafana/switchyard-dashboard.json over the run and draws each panel.
//
//   node scripts/observe/run.mjs            # about 3 minutes
//   node scripts/observe/run.mjs --quick    # a third of the time, for trying the script out (writes to .switchyard/observe)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderLineChart } from './line-chart.mjs';
import { runLoad } from './load.mjs';
import { checkQueries, findBinary, startPrometheus, waitFor } from './prometheus.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const QUICK = process.argv.includes('--quick');
const WORK_DIR = path.join(ROOT, '.switchyard', 'observe');
const OUT_DIR = QUICK ? path.join(WORK_DIR, 'images') : path.join(ROOT, 'docs', 'images');
const SCRAPE_SECONDS = 2;
const RATE_INTERVAL = '10s'; // Grafana's $__rate_interval at a 2 s scrape: 4 scrapes plus one step
const STEP_SECONDS = 2;
const QUEUE_LIMITS = { QUEUE_MAX_CONCURRENT: '4', QUEUE_MAX_QUEUE_SIZE: '60' };

/** The panels drawn, by their dashboard titles. */
const KEY_PANELS = [
  'Gateway overhead p50 / p99',
  'Queue wait p99 by priority',
  'Queue depth by priority',
  'Admission outcomes per second',
  'Cache hit ratio by kind',
  'Batch size: mean and p95',
  'Upstream attempts per second by region and outcome',
  'Region load',
  'Region state',
  'Upstream latency p50 / p99 by model',
  'Tokens per second by type',
];

async function main() {
  const prometheusBin = findBinary('prometheus', 'PROMETHEUS_BIN');
  const promtool = findBinary('promtool', 'PROMTOOL_BIN');
  if (!prometheusBin || !promtool) {
    console.error('Prometheus is not installed: apt-get update && apt-get install -y prometheus (or set PROMETHEUS_BIN / PROMTOOL_BIN).');
    process.exit(1);
  }
  fs.mkdirSync(WORK_DIR, { recursive: true });
  fs.mkdirSync(OUT_DIR, { recursive: true });

  const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy/grafana/switchyard-dashboard.json'), 'utf8'));
  const panels = KEY_PANELS.map((title) => {
    const panel = dashboard.panels.find((p) => p.title === title);
    if (!panel) throw new Error(`the dashboard has no panel "${title}"`);
    return panel;
  });
  const query = (expr) => expr.replaceAll('$__rate_interval', RATE_INTERVAL);
  checkQueries(promtool, dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => query(t.expr))), WORK_DIR);
  console.log(`promtool: all ${dashboard.panels.flatMap((p) => p.targets ?? []).length} dashboard queries parse`);

  console.log('building (npx nx run-many -t build) ...');
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const { startStack } = await import('@switchyard/local-stack');

  // In-memory stores: the run must not touch a shared Redis (the services use one when REDIS_URL is set).
  delete process.env.REDIS_URL;
  const logDir = path.join(WORK_DIR, 'logs');
  fs.rmSync(logDir, { recursive: true, force: true });
  const stack = await startStack({
    ports: 'free',
    logDir,
    env: { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_TRACES_EXPORTER: 'none' },
    // A small pool so the peak queues (and sheds the lowest priorities): waits per priority become visible.
    serviceEnv: { queue: QUEUE_LIMITS },
  });
  console.log(`stack up: gateway ${stack.gatewayAddress}, ${stack.metricsTargets.length} metrics endpoints`);
  let prometheus;
  try {
    prometheus = await startPrometheus({ binary: prometheusBin, workDir: WORK_DIR, targets: stack.metricsTargets, scrapeIntervalSeconds: SCRAPE_SECONDS });
    console.log(`prometheus at ${prometheus.url} scraping every ${SCRAPE_SECONDS} s`);

    const sim = (region) => stack.byName(`upstream-sim:${region}`).address;
    const faults = async (region, patch) => {
      const response = await fetch(`${sim(region)}/admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
      if (!response.ok) console.warn(`  fault injection on ${region} refused: ${response.status} ${await response.text()}`);
    };
    const reset = (region) => fetch(`${sim(region)}/admin/reset`, { method: 'POST' });
    const scale = QUICK ? 1 / 3 : 1;
    const phases = [
      { label: 'warm-up', seconds: 30 * scale, rate: 15 },
      { label: 'peak', seconds: 50 * scale, rate: 45 },
      {
        label: 'faults: eastus 429, westus 5xx',
        seconds: 40 * scale,
        rate: 30,
        before: async () => {
          await faults('eastus', { throttle: true, throttleRetryAfterMs: 5000 });
          await faults('westus', { errorRate: 0.3, errorStatus: 503 });
        },
      },
      { label: 'recovery', seconds: 30 * scale, rate: 15, before: async () => Promise.all(['eastus', 'westus'].map(reset)) },
    ];
    const report = await runLoad({
      address: stack.gatewayAddress,
      phases,
      onPhase: (phase) => console.log(`  phase ${phase.label}: ${phase.rate} req/s for ${Math.round(phase.seconds)} s`),
    });
    const start = report[0].start / 1000;
    const end = report.at(-1).end / 1000;
    await waitFor('a scrape after the load ended', async () => (await prometheus.latestScrape()) >= end + SCRAPE_SECONDS, 20_000);

    const phaseBands = report.map((r) => ({ label: r.label, start: r.start / 1000, end: r.end / 1000 }));
    const notes = [];
    for (const panel of panels) {
      const series = [];
      for (const target of panel.targets) {
        for (const result of await prometheus.queryRange(query(target.expr), Math.floor(start), Math.ceil(end), STEP_SECONDS)) {
          const name = (target.legendFormat ?? '').replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label) => result.metric[label] ?? '') || JSON.stringify(result.metric);
          series.push({ name, points: result.points });
        }
      }
      const metrics = [...new Set(panel.targets.flatMap((t) => [...t.expr.matchAll(/\b((?:switchyard|gen_ai)_[a-z_]+)/g)].map((m) => m[1])))];
      const svg = renderLineChart({
        title: panel.title,
        subtitle: panel.description,
        unit: panel.fieldConfig.defaults.unit,
        series,
        range: { start, end },
        phases: phaseBands,
        emptyNote: `no data in this run: ${metrics.join(', ')} not emitted yet`,
      });
      const file = `observe-${panel.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}.svg`;
      fs.writeFileSync(path.join(OUT_DIR, file), svg);
      notes.push({ panel: panel.title, file, metrics, series: series.map((s) => summarize(s)) });
      console.log(`  ${file}: ${series.length} series`);
    }
    const run = {
      command: `node scripts/observe/run.mjs${QUICK ? ' --quick' : ''}`,
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.versions.node}`,
      scrape: `${SCRAPE_SECONDS} s; rate window ${RATE_INTERVAL}; step ${STEP_SECONDS} s`,
      settings: { queue: QUEUE_LIMITS, stores: 'in-memory (REDIS_URL unset)', regions: 'four upstream-sim processes, 30-90 ms' },
      phases: report.map(({ label, seconds, rate, sent, skipped, byStatus, byKind }) => ({ label, seconds: Math.round(seconds), rate, sent, skipped, byKind, byStatus })),
      panels: notes,
    };
    fs.writeFileSync(path.join(OUT_DIR, 'observe-run.json'), JSON.stringify(run, null, 2) + '\n');
    console.log(`wrote ${notes.length} panels and observe-run.json to ${path.relative(ROOT, OUT_DIR)}`);
    for (const phase of run.phases) console.log(`  ${phase.label}: sent ${phase.sent}, ${JSON.stringify(phase.byStatus)}`);
  } finally {
    await prometheus?.stop();
    await stack.stop();
  }
}

function summarize(series) {
  const values = series.points.map(([, v]) => v).filter(Number.isFinite);
  if (values.length === 0) return { name: series.name, points: 0 };
  const round = (v) => Number(v.toPrecision(4));
  return { name: series.name, points: values.length, min: round(Math.min(...values)), max: round(Math.max(...values)), mean: round(values.reduce((a, b) => a + b, 0) / values.length) };
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
