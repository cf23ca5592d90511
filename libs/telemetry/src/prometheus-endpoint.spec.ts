import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { HISTOGRAM_BUCKETS } from './metric-views';

const run = promisify(execFile);
const DIST = path.resolve(__dirname, '../dist');

// A fresh process per case, as in start-telemetry.spec.ts: the SDK installs process-wide globals.
// The probe records one value per agreed histogram and a counter, then reads its own /metrics the way
// Prometheus would (polling with a bound: the exporter binds its port asynchronously).
const PROBE = `
const t = require(${JSON.stringify(DIST)});
t.startTelemetry('probe-service', process.env);
const meter = t.getMeter('probe');
meter.createHistogram('switchyard.batch.size').record(3, { reason: 'full' });
meter.createHistogram('switchyard.queue.wait', { unit: 'ms' }).record(1.5, { priority: 'HIGH' });
meter.createCounter('switchyard.cache.lookups').add(2, { result: 'exact' });
const url = 'http://127.0.0.1:' + process.env.OTEL_EXPORTER_PROMETHEUS_PORT + '/metrics';
(async () => {
  let body = '';
  for (let i = 0; i < 100 && !body; i++) {
    try { body = await (await fetch(url)).text(); } catch { await new Promise((r) => setTimeout(r, 20)); }
  }
  const report = { body, host: process.env.OTEL_EXPORTER_PROMETHEUS_HOST };
  await t.shutdownTelemetry();
  console.log('REPORT ' + JSON.stringify(report));
})();
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function scrape(env: Record<string, string>): Promise<{ body: string; host?: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const { stdout } = await run(process.execPath, ['-e', PROBE], { env: { ...base, ...env }, timeout: 20_000 });
  const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
  if (!line) throw new Error(`probe printed no report:\n${stdout}`);
  return JSON.parse(line.slice('REPORT '.length)) as { body: string; host?: string };
}

describe('Prometheus endpoint (OTEL_METRICS_EXPORTER=prometheus)', () => {
  let result: { body: string; host?: string };

  beforeAll(async () => {
    result = await scrape({ OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) });
  });

  it('serves the metrics on the configured port, bound to loopback unless told otherwise', () => {
    expect(result.host).toBe('127.0.0.1');
    expect(result.body).toContain('switchyard_cache_lookups_total{result="exact",otel_scope_name="switchyard.probe"} 2');
    expect(result.body).toMatch(/target_info\{[^}]*service_name="probe-service"/);
  });

  it('buckets the agreed histograms with their own boundaries instead of the SDK defaults', () => {
    const bounds = (metric: string) =>
      [...result.body.matchAll(new RegExp(`^${metric}_bucket\\{[^}]*le="([^"]+)"\\}`, 'gm'))].map((m) => m[1]).filter((le) => le !== '+Inf').map(Number);

    expect(bounds('switchyard_batch_size')).toEqual(HISTOGRAM_BUCKETS['switchyard.batch.size']);
    expect(bounds('switchyard_queue_wait')).toEqual(HISTOGRAM_BUCKETS['switchyard.queue.wait']);
    // 1.5 ms lands in the (1, 2] bucket, which the default boundaries (0, 5, 10, ...) would not have.
    expect(result.body).toMatch(/^switchyard_queue_wait_bucket\{[^}]*le="1"\} 0$/m);
    expect(result.body).toMatch(/^switchyard_queue_wait_bucket\{[^}]*le="2"\} 1$/m);
  });

  it('keeps a host given in OTEL_EXPORTER_PROMETHEUS_HOST (containers bind 0.0.0.0)', async () => {
    const open = await scrape({
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
      OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
    });

    expect(open.host).toBe('0.0.0.0');
    expect(open.body).toContain('switchyard_cache_lookups_total');
  });
});
