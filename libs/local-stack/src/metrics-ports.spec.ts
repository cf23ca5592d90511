import net from 'node:net';
import { findFreePort, fixedMetricsPort, prometheusRequested } from './metrics-ports';
import { DEFAULT_PORTS, GRPC_SERVICES, SIM_REGIONS } from './stack';

describe('metrics ports of the local stack', () => {
  it('turns on only when OTEL_METRICS_EXPORTER names prometheus', () => {
    expect(prometheusRequested({})).toBe(false);
    expect(prometheusRequested({ OTEL_METRICS_EXPORTER: 'otlp' })).toBe(false);
    expect(prometheusRequested({ OTEL_METRICS_EXPORTER: 'prometheus' })).toBe(true);
    expect(prometheusRequested({ OTEL_METRICS_EXPORTER: 'otlp, prometheus' })).toBe(true);
  });

  it('gives every process of `npm start` its own fixed port, clear of the gRPC and simulator ports', () => {
    const labels = [...GRPC_SERVICES, ...SIM_REGIONS.map((region) => `upstream-sim:${region.name}`)];
    const ports = labels.map((label) => fixedMetricsPort(label));
    const taken = [...Object.values(DEFAULT_PORTS), ...SIM_REGIONS.map((region) => region.port)];

    expect(new Set(ports).size).toBe(labels.length);
    expect(ports.filter((port) => taken.includes(port))).toEqual([]);
    expect(fixedMetricsPort('api-gateway')).toBe(9461);
    expect(fixedMetricsPort('queue', 19460)).toBe(19462);
  });

  it('refuses a process it has no fixed port for, instead of sharing one', () => {
    expect(() => fixedMetricsPort('upstream-sim:mars')).toThrow(/no fixed metrics port for upstream-sim:mars/);
  });

  it('finds a port that can be bound on loopback', async () => {
    const port = await findFreePort();
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
    expect(port).toBeGreaterThan(0);
  });
});
