import fs from 'node:fs';
import path from 'node:path';
import { ALL_SERVICES, configSchema, defaultPort, isRuntimeVariable, packageVersion, WORKSPACE_ROOT } from '../workspace';
import { baseImage, declaredArgs, stageEnv, stageLabels, type Dockerfile, type Stage } from './dockerfile';
import { instructionArgs as args, DOCKERFILE, parsedDockerfile, serviceDockerfile, serviceImages } from './service-image';

const METRICS_PORT = '9464';

describe('service images', () => {
  it('has an image for every application project under services/, all from deploy/docker/Dockerfile, no copy beside a service', () => {
    const apps = fs
      .readdirSync(path.join(WORKSPACE_ROOT, 'services'))
      .filter((dir) => fs.existsSync(path.join(WORKSPACE_ROOT, 'services', dir, 'project.json')))
      .filter((dir) => JSON.parse(fs.readFileSync(path.join(WORKSPACE_ROOT, 'services', dir, 'project.json'), 'utf8')).projectType === 'application');
    expect(apps.sort()).toEqual([...ALL_SERVICES].sort());
    expect(Object.keys(serviceImages.SERVICE_IMAGES).sort()).toEqual([...ALL_SERVICES].sort());
    expect(fs.existsSync(path.join(WORKSPACE_ROOT, DOCKERFILE))).toBe(true);
    expect(apps.filter((dir) => fs.existsSync(path.join(WORKSPACE_ROOT, 'services', dir, 'Dockerfile')))).toEqual([]);
  });

  it('takes every build argument the table gives, and needs no other', () => {
    const declared = declaredArgs(parsedDockerfile());
    for (const service of ALL_SERVICES) {
      const given = Object.keys(serviceImages.imageBuildArgs(service));
      // An argument the Dockerfile does not declare is ignored with a warning: the image would silently lack it.
      expect([service, given.filter((name) => !(name in declared))]).toEqual([service, []]);
      // One it declares without a default must come from the table, or the build runs with an empty value.
      const required = Object.entries(declared).filter(([, value]) => value === undefined).map(([name]) => name);
      expect([service, required.filter((name) => !given.includes(name))]).toEqual([service, []]);
    }
  });

  describe.each(ALL_SERVICES)('deploy/docker/Dockerfile built for %s', (service) => {
    // Resolved before each test rather than while collecting them, so an argument a stage forgot to declare
    // fails these tests with its reason instead of the whole file.
    let dockerfile: Dockerfile;
    let build: Stage;
    let runtime: Stage;
    beforeAll(() => {
      dockerfile = serviceDockerfile(service);
      build = dockerfile.stages[0]!;
      runtime = dockerfile.stages.at(-1)!;
    });

    it('builds in one stage and ships another, both from a base image pinned to an exact release', () => {
      expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
      for (const stage of dockerfile.stages) {
        const image = baseImage(dockerfile, stage);
        expect(image).toMatch(/^[a-z0-9./-]+:\d+\.\d+\.\d+[a-z0-9.-]*(@sha256:[0-9a-f]{64})?$/);
      }
    });

    it("checks its build arguments against the table, then compiles only this service's Nx build and assembles its production folder", () => {
      const runs = args(build, 'RUN');
      const check = runs.findIndex((run) => run.includes('deploy/docker/service-images.cjs check-build-args'));
      const compile = runs.findIndex((run) => run.includes(`nx run ${service}:build`));
      expect(check).toBeGreaterThanOrEqual(0);
      expect(compile).toBeGreaterThan(check);
      expect(runs.join('\n')).toContain(`deploy/docker/assemble-service.cjs ${service} /out`);
      expect(runs.join('\n')).toMatch(/npm ci\b/);
    });

    it('ships no npm, no dev dependencies and no sources: only the assembled folder from the build stage', () => {
      expect(args(runtime, 'RUN').filter((run) => /\bnpm\b|\byarn\b|\bnpx\b/.test(run) && !/^rm -rf/.test(run))).toEqual([]);
      expect(args(runtime, 'COPY')).toEqual([`--from=${build.name} /out/ ./`]);
      expect(args(runtime, 'RUN').join(' ')).toMatch(/rm -rf .*\/usr\/local\/bin\/npm/);
    });

    it('runs as a numeric non-root user, so Kubernetes can verify runAsNonRoot', () => {
      const users = args(runtime, 'USER');
      expect(users).toHaveLength(1);
      expect(users[0]).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    });

    it('exposes the port the service listens on by default, and the metrics port, bound to every interface', () => {
      const port = String(defaultPort(service));
      const exposed = args(runtime, 'EXPOSE').flatMap((a) => a.split(/\s+/));
      expect(exposed.sort()).toEqual([port, METRICS_PORT].sort());
      const env = stageEnv(runtime);
      const [hostVar, portVar] = service === 'upstream-sim' ? ['SIM_HOST', 'SIM_PORT'] : ['GRPC_HOST', 'GRPC_PORT'];
      expect(env).toMatchObject({ [hostVar]: '0.0.0.0', [portVar]: port, OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0', OTEL_EXPORTER_PROMETHEUS_PORT: METRICS_PORT, NODE_ENV: 'production' });
    });

    it('sets only variables the service reads', () => {
      const keys = new Set(Object.keys(configSchema(service).shape));
      expect(Object.keys(stageEnv(runtime)).filter((name) => !keys.has(name) && !isRuntimeVariable(name))).toEqual([]);
    });

    it('labels the image with its name, what it does, its version and licence', () => {
      const labels = stageLabels(runtime);
      expect(labels).toEqual({
        'org.opencontainers.image.title': `switchyard-${service}`,
        'org.opencontainers.image.description': expect.stringMatching(new RegExp(`^Switchyard ${service}: \\S`)),
        'org.opencontainers.image.version': packageVersion(service),
        'org.opencontainers.image.licenses': 'Apache-2.0',
      });
    });

    it('starts node with telemetry preloaded, and checks its own health with the probe it ships', () => {
      expect(args(runtime, 'ENTRYPOINT')).toEqual(['["node", "--require", "./dist/instrument.js", "dist/main.js"]']);
      const healthChecks = args(runtime, 'HEALTHCHECK');
      expect(healthChecks).toHaveLength(1);
      // HEALTHCHECK expands no build argument; assemble-service.cjs puts the service's own probe in healthcheck.cjs.
      expect(healthChecks[0]).toMatch(/ CMD \["node", "healthcheck\.cjs"\]$/);
    });
  });
});
