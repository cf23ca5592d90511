import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { objectKey, type K8sObject } from '../kustomize/k8s-object';
import { renderKustomization } from '../kustomize/render-kustomization';
import { configProblems, configSchema, defaultPort, GRPC_SERVICES, isRuntimeVariable, packageVersion, PENDING_SETTINGS, WORKSPACE_ROOT, type ServiceName } from '../workspace';
import { stageEnv } from '../docker/dockerfile';
import { instructionArgs, runtimeStage, serviceImages } from '../docker/service-image';
import { expansionOnlyVariables, podSpec, resolveEnv, type Container } from './pod-env';
import { schemaProblems } from './schema-validation';
import { unknownFieldProblems } from './unknown-fields';

const K8S = path.join(WORKSPACE_ROOT, 'deploy/k8s');

/**
 * Secrets production expects the operator to create (never in git), with the keys each must hold. The prod
 * overlay and docs/operations.md list the same names; values here are stand-ins for the config check.
 */
const OPERATOR_SECRETS: Record<string, Record<string, string>> = {
  'switchyard-api-keys': { API_KEYS: '{"sha256:0000000000000000000000000000000000000000000000000000000000000000":"team-a"}' },
  'switchyard-upstream-keys': { OPENAI_API_KEY: 'sk-placeholder', AZURE_WEU_API_KEY: 'placeholder', AZURE_SEC_API_KEY: 'placeholder' },
  'switchyard-redis': { REDIS_URL: 'rediss://switchyard:password@redis.example.internal:6380' },
};

/** Drain timing from libs/service-kit/src/run-service.ts, read from the source so a change there fails here. */
function shutdownBudgetSeconds(): { drain: number; exitBy: number } {
  const source = fs.readFileSync(path.join(WORKSPACE_ROOT, 'libs/service-kit/src/run-service.ts'), 'utf8');
  const drain = /SHUTDOWN_DRAIN_MS\s*=\s*([\d_]+)/.exec(source);
  const extra = /SHUTDOWN_DRAIN_MS\s*\+\s*([\d_]+)\s*\)/.exec(source);
  if (!drain || !extra) throw new Error('run-service.ts no longer declares SHUTDOWN_DRAIN_MS and its exit margin; update this check');
  const ms = (text: string) => Number(text.replace(/_/g, ''));
  return { drain: ms(drain[1]!) / 1000, exitBy: (ms(drain[1]!) + ms(extra[1]!)) / 1000 };
}

const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const serviceOf = (deployment: K8sObject): ServiceName | undefined => {
  const component = deployment.metadata.labels?.['app.kubernetes.io/component'];
  if (component === 'upstream-sim') return 'upstream-sim';
  return (GRPC_SERVICES as readonly string[]).includes(deployment.metadata.name) ? (deployment.metadata.name as ServiceName) : undefined;
};
const switchyardDeployments = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'Deployment' && serviceOf(o));
const container = (deployment: K8sObject): Container => podSpec(deployment).containers[0]!;

describe('deploy/k8s/base', () => {
  const objects = renderKustomization(path.join(K8S, 'base'));

  it('holds one Deployment per gRPC service, and nothing environment-specific', () => {
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual([...GRPC_SERVICES].sort());
    expect(objects.filter((o) => o.kind === 'Secret' || o.kind === 'Namespace')).toEqual([]);
    expect(objects.filter((o) => o.metadata.namespace)).toEqual([]);
  });

  it.each(GRPC_SERVICES)('tags the %s image with the version in its package.json', (service) => {
    expect(container(find(objects, 'Deployment', service)!).image).toBe(`switchyard/${service}:${packageVersion(service)}`);
  });
});

describe.each(['dev', 'prod'])('deploy/k8s/overlays/%s', (overlay) => {
  const objects = renderKustomization(path.join(K8S, 'overlays', overlay));
  const namespace = overlay === 'prod' ? 'switchyard' : 'switchyard-dev';
  const external = overlay === 'prod' ? OPERATOR_SECRETS : {};
  const deployments = switchyardDeployments(objects);

  it('validates every object against the Kubernetes schema (kubernetes-models)', () => {
    expect(objects.flatMap((object) => schemaProblems(object).map((problem) => `${objectKey(object)}: ${problem}`))).toEqual([]);
  });

  it('has no field Kubernetes does not know, at any depth', () => {
    expect(unknownFieldProblems(objects)).toEqual([]);
  });

  it('creates its namespace and puts every other object in it', () => {
    expect(find(objects, 'Namespace', namespace)).toBeDefined();
    expect(objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== namespace).map(objectKey)).toEqual([]);
  });

  it('resolves every ConfigMap and Secret a pod reads (production: from the Secrets the operator creates)', () => {
    const problems = objects
      .filter((o) => o.kind === 'Deployment')
      .flatMap((deployment) => {
        const spec = podSpec(deployment);
        const volumes = (spec.volumes ?? []).flatMap((volume) => {
          if (volume.configMap && !find(objects, 'ConfigMap', volume.configMap.name)) return [`volume ConfigMap ${volume.configMap.name}`];
          if (volume.secret && !find(objects, 'Secret', volume.secret.secretName) && !external[volume.secret.secretName]) return [`volume Secret ${volume.secret.secretName}`];
          return [];
        });
        return [...volumes, ...spec.containers.flatMap((c) => resolveEnv(c, objects, external).unresolved)].map((p) => `${deployment.metadata.name}: ${p}`);
      });
    expect(problems).toEqual([]);
  });

  it('gives each Switchyard service a Service, an autoscaler and a disruption budget that select its pods', () => {
    expect(deployments.map((d) => d.metadata.name)).toEqual(expect.arrayContaining([...GRPC_SERVICES]));
    for (const deployment of deployments) {
      const name = deployment.metadata.name;
      const podLabels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
      const selects = (selector: Record<string, string> | undefined) => !!selector && Object.entries(selector).every(([k, v]) => podLabels[k] === v);
      const service = find(objects, 'Service', name) as { spec: { selector: Record<string, string>; ports: { targetPort: string | number }[] } } & K8sObject;
      expect(service && selects(service.spec.selector)).toBe(true);
      const portNames = (container(deployment).ports ?? []).map((p) => p.name);
      expect(service.spec.ports.filter((p) => !portNames.includes(String(p.targetPort)))).toEqual([]);
      if (serviceOf(deployment) === 'upstream-sim') continue;
      const hpa = find(objects, 'HorizontalPodAutoscaler', name) as { spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number } } & K8sObject;
      expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name });
      expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
      // The autoscaler owns the replica count; a value in the Deployment would reset it on every apply.
      expect((deployment.spec as { replicas?: number }).replicas).toBeUndefined();
      const pdb = find(objects, 'PodDisruptionBudget', name) as { spec: { selector: { matchLabels: Record<string, string> }; minAvailable?: number; maxUnavailable?: number } } & K8sObject;
      expect(selects(pdb.spec.selector.matchLabels)).toBe(true);
      // A budget that the minimum replica count cannot satisfy blocks every node drain.
      if (pdb.spec.minAvailable !== undefined) expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
    }
  });

  it.each(GRPC_SERVICES)('probes %s natively over gRPC on the port it listens on', (service) => {
    const c = container(find(objects, 'Deployment', service)!);
    const env = resolveEnv(c, objects, external).values;
    const grpcPort = c.ports?.find((p) => p.name === 'grpc')?.containerPort;
    expect(grpcPort).toBe(defaultPort(service));
    expect(env.GRPC_PORT).toBe(String(grpcPort));
    expect(env.GRPC_HOST).toBe('0.0.0.0');
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(c[probe]).toMatchObject({ grpc: { port: grpcPort } });
  });

  it('runs each Switchyard pod as the user its image declares', () => {
    for (const deployment of deployments) {
      const [user] = instructionArgs(runtimeStage(serviceOf(deployment)!), 'USER');
      const { runAsUser, runAsGroup } = podSpec(deployment).securityContext as { runAsUser: number; runAsGroup: number };
      expect([deployment.metadata.name, `${runAsUser}:${runAsGroup}`]).toEqual([deployment.metadata.name, user]);
    }
  });

  it('runs each Switchyard container on the port its image exposes, and its image checks health as Kubernetes probes it', () => {
    for (const deployment of deployments) {
      const service = serviceOf(deployment)!;
      const image = runtimeStage(service);
      const { portVar, healthCheck } = serviceImages.serviceImage(service);
      const c = container(deployment);
      const listens = resolveEnv(c, objects, external).values[portVar] ?? stageEnv(image)[portVar];
      const exposed = instructionArgs(image, 'EXPOSE').flatMap((a) => a.split(/\s+/));
      const served = c.ports?.find((p) => String(p.containerPort) === listens);
      expect([deployment.metadata.name, listens, exposed.includes(listens!), served?.name]).toEqual([deployment.metadata.name, String(serviceImages.serviceImage(service).port), true, expect.any(String)]);
      // The image's HEALTHCHECK (compose) and the pod's probes (Kubernetes) ask the same endpoint.
      const probes = ['readinessProbe', 'livenessProbe'].map((name) => c[name] as { grpc?: { port: number }; httpGet?: { path: string; port: string | number } });
      const probed = probes.map((probe) => (probe.grpc ? `grpc:${probe.grpc.port}` : `http:${probe.httpGet!.path}:${probe.httpGet!.port}`));
      const expected = healthCheck === 'grpc-health-check.cjs' ? `grpc:${listens}` : `http:/healthz:${served!.name}`;
      expect([deployment.metadata.name, probed]).toEqual([deployment.metadata.name, [expected, expected]]);
    }
  });

  it('gives every service time to drain after SIGTERM, and no more than it needs', () => {
    const { exitBy } = shutdownBudgetSeconds();
    for (const deployment of deployments.filter((d) => serviceOf(d) !== 'upstream-sim')) {
      const spec = podSpec(deployment);
      const preStop = ((container(deployment).lifecycle as { preStop?: { sleep?: { seconds: number } } } | undefined)?.preStop?.sleep?.seconds ?? 0);
      // The preStop pause lets endpoints drop the pod before the drain refuses new calls.
      expect([deployment.metadata.name, preStop > 0]).toEqual([deployment.metadata.name, true]);
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + exitBy);
      expect(spec.terminationGracePeriodSeconds).toBeLessThanOrEqual(preStop + exitBy + 10);
    }
  });

  it('runs every container as a non-root user, read-only, without privileges (Pod Security "restricted")', () => {
    expect(find(objects, 'Namespace', namespace)!.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
      const spec = podSpec(deployment);
      expect({ name: deployment.metadata.name, ...spec.securityContext }).toMatchObject({
        name: deployment.metadata.name,
        runAsNonRoot: true,
        runAsUser: expect.any(Number),
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(spec.securityContext!.runAsUser).toBeGreaterThan(0);
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of podSpec(deployment).containers) {
        expect({ name: c.name, ...(c.securityContext as object) }).toMatchObject({
          name: c.name,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
      }
    }
  });

  it('requests CPU and memory and caps memory for every container; Node heaps fit under their caps', () => {
    for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
      for (const c of podSpec(deployment).containers) {
        const resources = c.resources as { requests?: Record<string, string>; limits?: Record<string, string> };
        expect({ name: c.name, cpu: resources.requests?.cpu, memory: resources.requests?.memory, limit: resources.limits?.memory }).toEqual({
          name: c.name,
          cpu: expect.any(String),
          memory: expect.any(String),
          limit: expect.any(String),
        });
        const heap = /--max-old-space-size=(\d+)/.exec(resolveEnv(c, objects, external).values.NODE_OPTIONS ?? '');
        if (heap) expect(Number(heap[1])).toBeLessThan(mebibytes(resources.limits!.memory!));
      }
    }
  });

  it.each(deploymentsByService(objects))('sets only variables %s reads, and its configuration parses', (_label, deployment) => {
    const service = serviceOf(deployment)!;
    const c = container(deployment);
    const { values } = resolveEnv(c, objects, external);
    const schemaKeys = new Set(Object.keys(configSchema(service).shape));
    const pending = PENDING_SETTINGS[service] ?? [];
    const upstreamKeyNames = service === 'region-router' ? regionKeyEnvNames(values.REGIONS) : [];
    const allowed = (name: string) =>
      schemaKeys.has(name) || isRuntimeVariable(name) || pending.includes(name) || upstreamKeyNames.includes(name) || expansionOnlyVariables(c).includes(name);

    expect(Object.keys(values).filter((name) => !allowed(name))).toEqual([]);
    expect(configProblems(service, values)).toEqual([]);
    // API_KEYS_FILE names a mounted Secret key whose content must parse as API_KEYS does.
    if (values.API_KEYS_FILE) {
      const content = mountedSecretValue(deployment, values.API_KEYS_FILE, objects, external);
      expect([values.API_KEYS_FILE, content === undefined]).toEqual([values.API_KEYS_FILE, false]);
      expect(configProblems(service, { ...values, API_KEYS: content })).toEqual([]);
    }
    // Every key REGIONS names must reach the region router's environment.
    expect(upstreamKeyNames.filter((name) => values[name] === undefined)).toEqual([]);
  });

  it('points every service address at a Service that serves that port', () => {
    const problems = deployments.flatMap((deployment) => {
      const { values } = resolveEnv(container(deployment), objects, external);
      return Object.entries(values)
        .filter(([name]) => name.endsWith('_ADDRESS'))
        .flatMap(([name, address]) => {
          const [host, port] = address.split(':');
          const service = find(objects, 'Service', host!) as ({ spec: { ports: { port: number }[] } } & K8sObject) | undefined;
          return service?.spec.ports.some((p) => p.port === Number(port)) ? [] : [`${deployment.metadata.name}: ${name}=${address}`];
        });
    });
    expect(problems).toEqual([]);
  });

  it('sends traces over OTLP to the Collector, which exports them to Jaeger and its metrics to Prometheus', () => {
    const configMap = find(objects, 'ConfigMap', generatedName(objects, 'ConfigMap', 'otel-collector-config'))!;
    const collectorConfig = parseYaml((configMap.data as Record<string, string>)['config.yaml']!) as CollectorConfig;
    const pipelines = collectorConfig.service.pipelines;
    for (const [name, pipeline] of Object.entries(pipelines)) {
      for (const receiver of pipeline.receivers) expect([name, receiver, receiver in collectorConfig.receivers || receiver in (collectorConfig.connectors ?? {})]).toEqual([name, receiver, true]);
      for (const processor of pipeline.processors ?? []) expect([name, processor, processor in collectorConfig.processors]).toEqual([name, processor, true]);
      for (const exporter of pipeline.exporters) expect([name, exporter, exporter in collectorConfig.exporters || exporter in (collectorConfig.connectors ?? {})]).toEqual([name, exporter, true]);
    }
    expect(pipelines.traces!.receivers).toContain('otlp');
    expect(pipelines.metrics!.exporters).toContain('prometheus');
    const jaegerEndpoint = (collectorConfig.exporters['otlp/jaeger'] as { endpoint: string }).endpoint;
    expect(pipelines.traces!.exporters).toContain('otlp/jaeger');
    const [jaegerHost, jaegerPort] = jaegerEndpoint.split(':');
    expect((find(objects, 'Service', jaegerHost!)!.spec as { ports: { port: number }[] }).ports.map((p) => p.port)).toContain(Number(jaegerPort));

    for (const deployment of deployments) {
      const { values } = resolveEnv(container(deployment), objects, external);
      const endpoint = new URL(values.OTEL_EXPORTER_OTLP_ENDPOINT!);
      expect([deployment.metadata.name, endpoint.hostname, values.OTEL_TRACES_EXPORTER, values.OTEL_METRICS_EXPORTER]).toEqual([deployment.metadata.name, 'otel-collector', 'otlp', 'prometheus']);
      const collectorPorts = (find(objects, 'Service', 'otel-collector')!.spec as { ports: { port: number }[] }).ports.map((p) => p.port);
      expect(collectorPorts).toContain(Number(endpoint.port));
      // Each pod serves its own /metrics, announced for Prometheus' pod discovery.
      const annotations = (deployment.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata.annotations;
      if (serviceOf(deployment) !== 'upstream-sim') {
        expect(annotations?.['prometheus.io/port']).toBe(values.OTEL_EXPORTER_PROMETHEUS_PORT);
        expect(values.OTEL_EXPORTER_PROMETHEUS_HOST).toBe('0.0.0.0');
      }
    }
  });

  it('pins every image to a version, never a moving tag', () => {
    const images = objects.filter((o) => o.kind === 'Deployment').flatMap((d) => podSpec(d).containers.map((c) => c.image));
    expect(images.filter((image) => !/:[0-9]+\.[0-9]+\.[0-9]+(-[a-z0-9.-]+)?$/.test(image) && !/@sha256:[0-9a-f]{64}$/.test(image))).toEqual([]);
  });

  if (overlay === 'prod') {
    it('runs no simulator and no in-cluster Redis, and pulls every service image from a registry', () => {
      expect(objects.filter((o) => o.metadata.name.startsWith('upstream-sim') || o.metadata.name === 'redis').map(objectKey)).toEqual([]);
      for (const service of GRPC_SERVICES) expect(container(find(objects, 'Deployment', service)!).image).toMatch(new RegExp(`^[a-z0-9.-]+\\.[a-z]+/.+/${service}:`));
    });

    it('keeps at least three replicas of each service and lets one go at a time', () => {
      for (const service of GRPC_SERVICES) {
        expect((find(objects, 'HorizontalPodAutoscaler', service)!.spec as { minReplicas: number }).minReplicas).toBeGreaterThanOrEqual(3);
        expect((find(objects, 'PodDisruptionBudget', service)!.spec as { minAvailable: number }).minAvailable).toBe(2);
      }
    });

    it('documents every Secret the operator must create, with its keys', () => {
      const kustomization = fs.readFileSync(path.join(K8S, 'overlays/prod/kustomization.yaml'), 'utf8');
      const operations = fs.readFileSync(path.join(WORKSPACE_ROOT, 'docs/operations.md'), 'utf8');
      for (const [secret, keys] of Object.entries(OPERATOR_SECRETS)) {
        for (const text of [kustomization, operations]) {
          expect(text).toContain(secret);
          for (const key of Object.keys(keys)) expect(text).toContain(key);
        }
      }
    });
  }
});

describe('pending settings', () => {
  it('are still missing from their service schemas (remove them from PENDING_SETTINGS once they land)', () => {
    const landed = Object.entries(PENDING_SETTINGS).flatMap(([service, keys]) => {
      const schemaKeys = Object.keys(configSchema(service as ServiceName).shape);
      return keys!.filter((key) => schemaKeys.includes(key)).map((key) => `${service}: ${key}`);
    });
    expect(landed).toEqual([]);
  });
});

interface CollectorConfig {
  receivers: Record<string, unknown>;
  processors: Record<string, unknown>;
  exporters: Record<string, unknown>;
  connectors?: Record<string, unknown>;
  service: { pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }> };
}

function deploymentsByService(objects: K8sObject[]): [string, K8sObject][] {
  return switchyardDeployments(objects).map((deployment) => [deployment.metadata.name, deployment]);
}

function generatedName(objects: K8sObject[], kind: string, base: string): string {
  const object = objects.find((o) => o.kind === kind && new RegExp(`^${base}-[a-z0-9]{10}$`).test(o.metadata.name));
  if (!object) throw new Error(`no generated ${kind} ${base}`);
  return object.metadata.name;
}

/** The content of the Secret key a container sees at `file`, through one of its secret volume mounts. */
function mountedSecretValue(deployment: K8sObject, file: string, objects: K8sObject[], external: Record<string, Record<string, string>>): string | undefined {
  const spec = podSpec(deployment);
  const mount = ((container(deployment).volumeMounts ?? []) as { name: string; mountPath: string }[]).find((m) => path.dirname(file) === m.mountPath);
  const secretName = spec.volumes?.find((v) => v.name === mount?.name)?.secret?.secretName;
  if (!secretName) return undefined;
  const key = path.basename(file);
  const secret = find(objects, 'Secret', secretName);
  if (!secret) return external[secretName]?.[key];
  const data = (secret.data ?? {}) as Record<string, string>;
  return data[key] === undefined ? undefined : Buffer.from(data[key].replace(/\n/g, ''), 'base64').toString('utf8');
}

function regionKeyEnvNames(regionsJson: string | undefined): string[] {
  if (!regionsJson) return [];
  return (JSON.parse(regionsJson) as { apiKeyEnv?: string }[]).flatMap((region) => (region.apiKeyEnv ? [region.apiKeyEnv] : []));
}

function mebibytes(quantity: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`memory quantity ${quantity}: use Mi or Gi`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}
