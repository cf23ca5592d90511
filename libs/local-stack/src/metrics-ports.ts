import net from 'node:net';

/**
 * Prometheus endpoints for the local stack. Every process serves /metrics on its own port when
 * OTEL_METRICS_EXPORTER names `prometheus`: they all share one host, and the exporter's single
 * default (9464) would let only the first process bind.
 */
export const METRICS_PORT_BASE = 9460;

/** Offsets from the base in `fixed` mode: the last digit of the gRPC port, and 11.. for the simulators. */
const FIXED_OFFSETS: Record<string, number> = {
  'api-gateway': 1,
  queue: 2,
  cache: 3,
  batcher: 4,
  'model-router': 5,
  'region-router': 6,
  'upstream-sim:eastus': 11,
  'upstream-sim:westus': 12,
  'upstream-sim:westeurope': 13,
  'upstream-sim:eastasia': 14,
};

/** Whether the environment a process would get asks for a Prometheus endpoint. */
export function prometheusRequested(env: Record<string, string | undefined>): boolean {
  return (env.OTEL_METRICS_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .includes('prometheus');
}

/** The fixed metrics port of a process label (`queue`, `upstream-sim:eastus`, ...). */
export function fixedMetricsPort(label: string, base = METRICS_PORT_BASE): number {
  const offset = FIXED_OFFSETS[label];
  if (offset === undefined) throw new Error(`no fixed metrics port for ${label}; known: ${Object.keys(FIXED_OFFSETS).join(', ')}`);
  return base + offset;
}

/**
 * A port nothing listens on right now, for `free` mode. The exporter cannot be given port 0 (it reads 0
 * as unset and takes 9464), so the port is chosen here; the short window before the child binds it is
 * the usual price of picking ports ahead of time.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
