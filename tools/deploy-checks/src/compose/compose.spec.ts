import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { declaredArgs, stageEnv } from '../docker/dockerfile';
import { DOCKERFILE, instructionArgs, parsedDockerfile, runtimeStage, serviceImages } from '../docker/service-image';
import { configProblems, configSchema, defaultPort, GRPC_SERVICES, isRuntimeVariable, packageVersion, PENDING_SETTINGS, WORKSPACE_ROOT, type ServiceName } from '../workspace';

const COMPOSE_DIR = path.join(WORKSPACE_ROOT, 'deploy/compose');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  stop_grace_period?: string;
  healthcheck?: unknown;
}

// Compose reads YAML 1.1 merge keys (<<: *telemetry); so must we.
const compose = parseYaml(fs.readFileSync(path.join(COMPOSE_DIR, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const switchyard = Object.entries(services).filter(([, s]) => s.build);
const serviceOf = (name: string): ServiceName => (name.startsWith('upstream-sim') ? 'upstream-sim' : (name as ServiceName));
const buildArgs = (service: ComposeService) => Object.fromEntries(Object.entries(service.build!.args ?? {}).map(([key, value]) => [key, String(value)]));
/** Compose substitutes ${VAR:-default}; the defaults are what a laptop without those variables gets. */
const substituted = (env: Record<string, string | number> = {}) =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}/g, '$1')]));

describe('deploy/compose/compose.yaml', () => {
  it('runs the six services, upstream simulators, Redis, the Collector, Jaeger, Prometheus and Grafana', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining([...GRPC_SERVICES, 'redis', 'otel-collector', 'jaeger', 'prometheus', 'grafana']));
    expect(Object.keys(services).some((name) => name.startsWith('upstream-sim'))).toBe(true);
  });

  it.each(switchyard)('builds %s from deploy/docker/Dockerfile with the build arguments of its service, tagged with its package version', (name, service) => {
    const target = serviceOf(name);
    expect(path.resolve(COMPOSE_DIR, service.build!.context)).toBe(WORKSPACE_ROOT);
    expect(service.build!.dockerfile).toBe(DOCKERFILE);
    expect(fs.existsSync(path.join(WORKSPACE_ROOT, service.build!.dockerfile))).toBe(true);
    const version = packageVersion(target);
    expect(service.image).toBe(`switchyard/${target}:${version}`);

    // What the build gets: the arguments compose passes, else the Dockerfile's defaults; the table's, exactly.
    const given = buildArgs(service);
    const defaults = declaredArgs(parsedDockerfile());
    expect(Object.keys(given).filter((key) => !(key in defaults))).toEqual([]);
    const expected = serviceImages.imageBuildArgs(target, version);
    expect(Object.fromEntries(Object.keys(expected).map((key) => [key, given[key] ?? defaults[key]]))).toEqual(expected);
  });

  it.each(switchyard)('runs %s on the port its image exposes', (name, service) => {
    const image = runtimeStage(serviceOf(name), buildArgs(service));
    const { portVar } = serviceImages.serviceImage(serviceOf(name));
    const listens = substituted(service.environment)[portVar] ?? stageEnv(image)[portVar];
    expect(instructionArgs(image, 'EXPOSE').flatMap((a) => a.split(/\s+/))).toContain(listens);
  });

  it.each(switchyard)('sets only variables %s reads, and its configuration parses', (name, service) => {
    const target = serviceOf(name);
    const env = substituted(service.environment);
    const keys = new Set(Object.keys(configSchema(target).shape));
    const pending = PENDING_SETTINGS[target] ?? [];
    expect(Object.keys(env).filter((key) => !keys.has(key) && !isRuntimeVariable(key) && !pending.includes(key))).toEqual([]);
    expect(configProblems(target, env)).toEqual([]);
    if (target !== 'upstream-sim') {
      expect(env.GRPC_HOST).toBe('0.0.0.0');
      expect(env.GRPC_PORT).toBe(String(defaultPort(target)));
    }
  });

  it.each(switchyard)('makes %s wait for every service it calls, at the address and port that service listens on', (name, service) => {
    const env = substituted(service.environment);
    const targets = [
      ...Object.entries(env)
        .filter(([key]) => key.endsWith('_ADDRESS'))
        .map(([key, address]) => ({ key, host: address.split(':')[0]!, port: Number(address.split(':')[1]) })),
      ...(env.REGIONS ? (JSON.parse(env.REGIONS) as { baseUrl: string }[]).map((r) => ({ key: 'REGIONS', host: new URL(r.baseUrl).hostname, port: Number(new URL(r.baseUrl).port) })) : []),
      ...(env.REDIS_URL ? [{ key: 'REDIS_URL', host: new URL(env.REDIS_URL).hostname, port: Number(new URL(env.REDIS_URL).port) }] : []),
      { key: 'OTEL_EXPORTER_OTLP_ENDPOINT', host: new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT!).hostname, port: 4317 },
    ];
    for (const target of targets) {
      expect([target.key, target.host in services]).toEqual([target.key, true]);
      expect([target.key, Object.keys(service.depends_on ?? {})]).toEqual([target.key, expect.arrayContaining([target.host])]);
      const callee = services[target.host]!;
      if (callee.build) {
        const calleeEnv = substituted(callee.environment);
        expect([target.key, target.port]).toEqual([target.key, Number(calleeEnv.GRPC_PORT ?? calleeEnv.SIM_PORT)]);
        // Healthy means its image's HEALTHCHECK passes: grpc.health.v1 SERVING, or the simulator's /healthz.
        expect(service.depends_on![target.host]!.condition).toBe('service_healthy');
      }
    }
  });

  it('gives every service longer to stop than its drain takes', () => {
    for (const [name, service] of switchyard.filter(([n]) => !n.startsWith('upstream-sim'))) expect([name, service.stop_grace_period]).toEqual([name, '20s']);
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const published = Object.values(services).flatMap((s) => s.ports ?? []);
    expect(published.length).toBeGreaterThan(0);
    expect(published.filter((p) => !p.startsWith('127.0.0.1:'))).toEqual([]);
  });

  it('pins every third-party image to a version', () => {
    const images = Object.values(services)
      .filter((s) => !s.build)
      .map((s) => s.image!);
    expect(images.filter((image) => !/:v?\d+\.\d+\.\d+(-[a-z0-9]+)?$/.test(image))).toEqual([]);
  });

  it('mounts only files that exist, and scrapes every Switchyard process', () => {
    const mounts = Object.values(services).flatMap((s) => (s.volumes ?? []).map((v) => v.split(':')[0]!));
    expect(mounts.filter((source) => !fs.existsSync(path.resolve(COMPOSE_DIR, source)))).toEqual([]);

    const prometheus = parseYaml(fs.readFileSync(path.join(COMPOSE_DIR, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    for (const [name, service] of switchyard) expect(targets).toContain(`${name}:${substituted(service.environment).OTEL_EXPORTER_PROMETHEUS_PORT}`);
    expect(targets.filter((t) => !(t.split(':')[0]! in services))).toEqual([]);
  });
});
