import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ALL_SERVICES, packageVersion, WORKSPACE_ROOT } from '../workspace';
import { DOCKERFILE, serviceImages } from './service-image';

const run = (command: string, args: string[], env: Record<string, string> = {}) => {
  // Only PATH from this process: a SERVICE or SWITCHYARD_REGISTRY in the developer's shell must not change the answer.
  const result = spawnSync(command, args, { cwd: WORKSPACE_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH!, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};
const buildImage = (...args: string[]) => run('bash', [path.join(WORKSPACE_ROOT, 'deploy/docker/build-image.sh'), '--dry-run', ...args]);

/** The --build-arg values of a docker command given one argument a line, as a map. */
function buildArgsOf(lines: string[]): Record<string, string> {
  const values = lines.flatMap((line, i) => (lines[i - 1] === '--build-arg' ? [line] : []));
  return Object.fromEntries(values.map((value) => [value.slice(0, value.indexOf('=')), value.slice(value.indexOf('=') + 1)]));
}

describe('deploy/docker/build-image.sh', () => {
  it.each(ALL_SERVICES)('builds %s from deploy/docker/Dockerfile with the build arguments of the table, tagged with its version', (service) => {
    const result = buildImage(service);
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');

    expect(lines.slice(0, 4)).toEqual(['docker', 'build', '-f', DOCKERFILE]);
    expect(buildArgsOf(lines)).toEqual(serviceImages.imageBuildArgs(service));
    expect(buildArgsOf(lines).VERSION).toBe(packageVersion(service));
    expect(lines.slice(-3)).toEqual(['-t', `switchyard/${service}:${packageVersion(service)}`, '.']);
  });

  it('tags for the registry it is given, and refuses a service without an image', () => {
    expect(buildImage('cache', 'ghcr.io/acme/switchyard').stdout).toContain(`\n-t\nghcr.io/acme/switchyard/cache:${packageVersion('cache')}\n`);

    const unknown = buildImage('testing');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('no image for "testing"');
  });
});

describe('deploy/docker/service-images.cjs check-build-args (the Dockerfile build stage runs it)', () => {
  const check = (env: Record<string, string>) => run(process.execPath, ['deploy/docker/service-images.cjs', 'check-build-args'], env);
  // What a RUN in the build stage sees: the Dockerfile's defaults for HOST_VAR and PORT_VAR apply when not given.
  const asTheBuildStageSeesThem = (service: string) => {
    const { VERSION: _version, ...rest } = serviceImages.imageBuildArgs(service);
    return rest;
  };

  it.each(ALL_SERVICES)('accepts the build arguments the table gives %s', (service) => {
    expect(check(asTheBuildStageSeesThem(service))).toMatchObject({ status: 0, stderr: '' });
  });

  it('fails the build for an argument that disagrees with the table, naming it', () => {
    const result = check({ ...asTheBuildStageSeesThem('queue'), SERVICE_PORT: '50051' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('SERVICE_PORT=50051, but the table says SERVICE_PORT=50052');

    const simulatorAsGrpc = check({ ...asTheBuildStageSeesThem('upstream-sim'), HOST_VAR: 'GRPC_HOST', PORT_VAR: 'GRPC_PORT' });
    expect(simulatorAsGrpc.status).toBe(1);
    expect(simulatorAsGrpc.stderr).toContain('PORT_VAR=GRPC_PORT, but the table says PORT_VAR=SIM_PORT');
  });

  it('fails the build when no service is named', () => {
    const result = check({});
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('SERVICE is not set');
  });
});
