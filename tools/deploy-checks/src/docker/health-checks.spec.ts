import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { WORKSPACE_ROOT } from '../workspace';

// The probes a container runs as healthcheck.cjs (assemble-service.cjs copies the one the table names), run here
// against the real services: a gRPC service and the HTTP simulator, started from their build output.
jest.setTimeout(30_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Exit code of `node deploy/docker/<probe>` with `env`, as Docker's HEALTHCHECK would read it. */
function probe(script: string, env: Record<string, string>): number | null {
  return spawnSync(process.execPath, [path.join(WORKSPACE_ROOT, 'deploy/docker', script)], { env: { PATH: process.env.PATH!, ...env }, timeout: 5_000 }).status;
}

/** Polls the probe until it reports healthy (the service is starting), for at most `timeoutMs`. */
async function probeUntilHealthy(script: string, env: Record<string, string>, timeoutMs = 15_000): Promise<number | null> {
  const until = Date.now() + timeoutMs;
  let status = probe(script, env);
  while (status !== 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    status = probe(script, env);
  }
  return status;
}

function startService(service: string, env: Record<string, string>): ChildProcess {
  const dist = path.join(WORKSPACE_ROOT, 'services', service, 'dist');
  // No exporters: a benchmark or another test may hold the default metrics port.
  return spawn(process.execPath, ['--require', path.join(dist, 'instrument.js'), path.join(dist, 'main.js')], {
    env: { PATH: process.env.PATH!, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', LOG_LEVEL: 'warn', ...env },
    stdio: 'ignore',
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('container health probes (deploy/docker/*-health-check.cjs)', () => {
  it('grpc-health-check.cjs: healthy once a gRPC service serves on GRPC_PORT, unhealthy when nothing answers there', async () => {
    const port = String(await freePort());
    const env = { GRPC_PORT: port };
    expect(probe('grpc-health-check.cjs', env)).toBe(1);
    const service = startService('model-router', { GRPC_HOST: '127.0.0.1', GRPC_PORT: port });
    try {
      expect(await probeUntilHealthy('grpc-health-check.cjs', env)).toBe(0);
    } finally {
      await stop(service);
    }
    expect(probe('grpc-health-check.cjs', env)).toBe(1);
    expect(probe('grpc-health-check.cjs', {})).toBe(2);
  });

  it('http-health-check.cjs: healthy once the simulator answers /healthz on SIM_PORT, unhealthy when nothing answers there', async () => {
    const port = String(await freePort());
    const env = { SIM_PORT: port };
    expect(probe('http-health-check.cjs', env)).toBe(1);
    const simulator = startService('upstream-sim', { SIM_HOST: '127.0.0.1', SIM_PORT: port });
    try {
      expect(await probeUntilHealthy('http-health-check.cjs', env)).toBe(0);
    } finally {
      await stop(simulator);
    }
    expect(probe('http-health-check.cjs', env)).toBe(1);
    expect(probe('http-health-check.cjs', {})).toBe(2);
  });
});
