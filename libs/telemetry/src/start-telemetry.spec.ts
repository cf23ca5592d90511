import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DIST = path.resolve(__dirname, '../dist');

// The SDK registers process-wide globals and patches modules, so each case gets a fresh process
// running the built library, as a service's `--require ./dist/instrument.js` would.
const PROBE = `
const t = require(${JSON.stringify(DIST)});
const env = JSON.parse(process.argv[1]);
const before = JSON.stringify(env);
t.startTelemetry('probe-service', env);
const span = t.getTracer('probe').startSpan('probe-span');
const traceparent = t.context.with(t.trace.setSpan(t.context.active(), span), () => t.activeTraceparent());
span.end();
const report = {
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  traceparent,
  metricsExporter: process.env.OTEL_METRICS_EXPORTER,
  logsExporter: process.env.OTEL_LOGS_EXPORTER,
  callerEnvUntouched: JSON.stringify(env) === before,
};
t.shutdownTelemetry().then(() => console.log('REPORT ' + JSON.stringify(report)));
`;

interface Report {
  traceId: string;
  spanId: string;
  traceparent: string;
  metricsExporter?: string;
  logsExporter?: string;
  callerEnvUntouched: boolean;
}

async function probe(env: Record<string, string>): Promise<{ report: Report; stdout: string }> {
  // Whatever OTEL_* the test runner has must not leak into the probe.
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
  const { stdout } = await run(process.execPath, ['-e', PROBE, JSON.stringify(env)], { env: base, timeout: 20_000 });
  const line = stdout.split('\n').find((l) => l.startsWith('REPORT '));
  if (!line) throw new Error(`probe printed no report:\n${stdout}`);
  return { report: JSON.parse(line.slice('REPORT '.length)) as Report, stdout };
}

describe('startTelemetry', () => {
  it('gives spans real trace ids when no OTEL variable is set, with metrics and log export off', async () => {
    const { report } = await probe({});

    expect(report.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(report.traceId).not.toBe('0'.repeat(32));
    expect(report.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(report.traceparent).toBe(`00-${report.traceId}-${report.spanId}-01`);
    expect(report.metricsExporter).toBe('none');
    expect(report.logsExporter).toBe('none');
    expect(report.callerEnvUntouched).toBe(true);
  });

  it('applies the exporter chosen in the env object it is given', async () => {
    const { report, stdout } = await probe({ OTEL_TRACES_EXPORTER: 'console' });

    // The console exporter prints the finished span, so the choice reached the SDK.
    expect(stdout).toContain(report.traceId);
    expect(stdout).toContain('probe-span');
    expect(stdout).toContain('probe-service');
  });

  it('exports metrics over OTLP once an OTLP endpoint is configured', async () => {
    const { report } = await probe({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_TRACES_EXPORTER: 'none' });

    expect(report.metricsExporter).toBe('otlp');
    expect(report.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});
