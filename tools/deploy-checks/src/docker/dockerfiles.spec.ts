import fs from 'node:fs';
import path from 'node:path';
import { ALL_SERVICES, defaultPort, WORKSPACE_ROOT, type ServiceName } from '../workspace';
import { baseImage, parseDockerfile, stageEnv, type Stage } from './dockerfile';

const METRICS_PORT = '9464';
const read = (service: ServiceName) => parseDockerfile(fs.readFileSync(path.join(WORKSPACE_ROOT, 'services', service, 'Dockerfile'), 'utf8'));
const args = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

describe('service images', () => {
  it('has a Dockerfile for every application project under services/', () => {
    const apps = fs
      .readdirSync(path.join(WORKSPACE_ROOT, 'services'))
      .filter((dir) => fs.existsSync(path.join(WORKSPACE_ROOT, 'services', dir, 'project.json')))
      .filter((dir) => JSON.parse(fs.readFileSync(path.join(WORKSPACE_ROOT, 'services', dir, 'project.json'), 'utf8')).projectType === 'application');
    expect(apps.sort()).toEqual([...ALL_SERVICES].sort());
    expect(apps.filter((dir) => !fs.existsSync(path.join(WORKSPACE_ROOT, 'services', dir, 'Dockerfile')))).toEqual([]);
  });

  describe.each(ALL_SERVICES)('services/%s/Dockerfile', (service) => {
    const dockerfile = read(service);
    const build = dockerfile.stages[0]!;
    const runtime = dockerfile.stages.at(-1)!;

    it('builds in one stage and ships another, both from a base image pinned to an exact release', () => {
      expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
      for (const stage of dockerfile.stages) {
        const image = baseImage(dockerfile, stage);
        expect(image).toMatch(/^[a-z0-9./-]+:\d+\.\d+\.\d+[a-z0-9.-]*(@sha256:[0-9a-f]{64})?$/);
      }
    });

    it("compiles only this service's Nx build and assembles its production folder", () => {
      const runs = args(build, 'RUN').join('\n');
      expect(runs).toContain(`nx run ${service}:build`);
      expect(runs).toContain(`deploy/docker/assemble-service.cjs ${service} /out`);
      expect(runs).toMatch(/npm ci\b/);
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

    it('exposes the port the service listens on, and the metrics port, bound to every interface', () => {
      const port = String(defaultPort(service));
      const exposed = args(runtime, 'EXPOSE').flatMap((a) => a.split(/\s+/));
      expect(exposed.sort()).toEqual([port, METRICS_PORT].sort());
      const env = stageEnv(runtime);
      const [hostVar, portVar] = service === 'upstream-sim' ? ['SIM_HOST', 'SIM_PORT'] : ['GRPC_HOST', 'GRPC_PORT'];
      expect(env).toMatchObject({ [hostVar]: '0.0.0.0', [portVar]: port, OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0', OTEL_EXPORTER_PROMETHEUS_PORT: METRICS_PORT, NODE_ENV: 'production' });
    });

    it('starts node with telemetry preloaded, and checks its own health', () => {
      expect(args(runtime, 'ENTRYPOINT')).toEqual(['["node", "--require", "./dist/instrument.js", "dist/main.js"]']);
      expect(args(runtime, 'HEALTHCHECK')).toHaveLength(1);
    });
  });
});
