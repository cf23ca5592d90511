// Runs a throwaway Prometheus (the apt package's binary) that scrapes the local stack, and reads series back
// through its HTTP API.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export function findBinary(name, envVar) {
  const candidates = [process.env[envVar], ...String(process.env.PATH).split(path.delimiter).map((dir) => path.join(dir, name))].filter(Boolean);
  return candidates.find((file) => fs.existsSync(file));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 200 ms until it returns true, failing after `timeoutMs`. */
export async function waitFor(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Checks every PromQL expression with promtool by wrapping them in a throwaway recording-rule file. */
export function checkQueries(promtool, exprs, workDir) {
  const file = path.join(workDir, 'panel-queries.rules.yaml');
  const rules = exprs.map((expr, i) => `      - record: switchyard:panel_query_${i}\n        expr: ${JSON.stringify(expr)}`).join('\n');
  fs.writeFileSync(file, `groups:\n  - name: panels\n    rules:\n${rules}\n`);
  execFileSync(promtool, ['check', 'rules', file], { stdio: 'pipe' });
}

export async function startPrometheus({ binary, workDir, targets, scrapeIntervalSeconds }) {
  const port = await freePort();
  const config = path.join(workDir, 'prometheus.yml');
  const staticConfigs = targets
    .map((t) => `      - targets: ["${new URL(t.url).host}"]\n        labels: {service: "${t.name.split(':')[0]}", process: "${t.name}"}`)
    .join('\n');
  fs.writeFileSync(
    config,
    `global:\n  scrape_interval: ${scrapeIntervalSeconds}s\n  scrape_timeout: ${scrapeIntervalSeconds}s\nscrape_configs:\n  - job_name: switchyard\n    static_configs:\n${staticConfigs}\n`,
  );
  const tsdb = path.join(workDir, 'tsdb');
  fs.rmSync(tsdb, { recursive: true, force: true });
  const log = fs.openSync(path.join(workDir, 'prometheus.log'), 'w');
  const child = spawn(binary, [`--config.file=${config}`, `--storage.tsdb.path=${tsdb}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
    stdio: ['ignore', log, log],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  await waitFor('Prometheus to be ready', async () => (await fetch(`${url}/-/ready`)).ok);
  await waitFor('every target to be scraped once', async () => {
    const body = await (await fetch(`${url}/api/v1/targets`)).json();
    const active = body.data.activeTargets;
    return active.length === targets.length && active.every((t) => t.health === 'up');
  });
  return {
    url,
    async queryRange(expr, start, end, step) {
      const params = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) });
      const body = await (await fetch(`${url}/api/v1/query_range?${params}`)).json();
      if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
      return body.data.result.map((r) => ({ metric: r.metric, points: r.values.map(([t, v]) => [Number(t), Number(v)]) }));
    },
    async latestScrape() {
      const body = await (await fetch(`${url}/api/v1/targets`)).json();
      return Math.min(...body.data.activeTargets.map((t) => Date.parse(t.lastScrape) / 1000));
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
      fs.closeSync(log);
      fs.rmSync(tsdb, { recursive: true, force: true });
    },
  };
}
