import fs from 'node:fs';
import path from 'node:path';
import { ALL_SERVICES, WORKSPACE_ROOT } from '../workspace';
import { serviceImages } from './service-image';

interface ImagePlan {
  packageJson: { name: string; version: string; dependencies: Record<string, string>; devDependencies?: unknown };
  lockfile: string;
  libs: { project: string; packageName: string }[];
  allowedScripts: string[];
  healthCheck: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const assemble = require(path.join(WORKSPACE_ROOT, 'deploy/docker/assemble-service.cjs')) as {
  planServiceImage(project: string, graph?: unknown): Promise<ImagePlan>;
  projectGraph(): Promise<unknown>;
};
const root = JSON.parse(fs.readFileSync(path.join(WORKSPACE_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

jest.setTimeout(30_000);

describe('image contents (deploy/docker/assemble-service.cjs)', () => {
  const plans = new Map<string, ImagePlan>();
  beforeAll(async () => {
    const graph = await assemble.projectGraph();
    for (const service of ALL_SERVICES) plans.set(service, await assemble.planServiceImage(service, graph));
  });

  it.each(ALL_SERVICES)('gives %s only production dependencies, at the versions the workspace pins', (service) => {
    const plan = plans.get(service)!;
    const deps = plan.packageJson.dependencies;

    expect(plan.packageJson.version).toBe(JSON.parse(fs.readFileSync(path.join(WORKSPACE_ROOT, 'services', service, 'package.json'), 'utf8')).version);
    expect(plan.packageJson.devDependencies).toBeUndefined();
    expect(Object.keys(deps).filter((name) => name in root.devDependencies)).toEqual([]);
    expect(Object.entries(deps).filter(([name, version]) => root.dependencies[name] !== version)).toEqual([]);
    // What every service needs at run time: gRPC, the OpenTelemetry SDK it preloads, its config schema.
    expect(Object.keys(deps)).toEqual(expect.arrayContaining(['@grpc/grpc-js', '@opentelemetry/sdk-node', '@opentelemetry/api', 'zod']));
  });

  it.each(ALL_SERVICES)('copies into %s the libraries it imports, never the test helpers', (service) => {
    const plan = plans.get(service)!;
    const libs = plan.libs.map((lib) => lib.packageName);

    expect(libs).toEqual(expect.arrayContaining(['@switchyard/service-kit', '@switchyard/telemetry']));
    expect(libs.filter((name) => ['@switchyard/testing', '@switchyard/local-stack'].includes(name))).toEqual([]);
    expect(Object.keys(plan.packageJson.dependencies).filter((name) => name.startsWith('@switchyard/'))).toEqual([]);
  });

  it.each(ALL_SERVICES)('ships %s the health probe the table names, as the healthcheck.cjs its HEALTHCHECK runs', (service) => {
    const plan = plans.get(service)!;

    expect(plan.healthCheck).toBe(serviceImages.serviceImage(service).healthCheck);
    expect(fs.existsSync(path.join(WORKSPACE_ROOT, 'deploy/docker', plan.healthCheck))).toBe(true);
    // The gRPC probe needs grpc-js in the image; the HTTP probe needs nothing but node.
    if (plan.healthCheck === 'grpc-health-check.cjs') expect(Object.keys(plan.packageJson.dependencies)).toContain('@grpc/grpc-js');
  });

  it('prunes the lockfile to production packages with a single copy of @opentelemetry/api', () => {
    const plan = plans.get('region-router')!;
    const packages = (JSON.parse(plan.lockfile) as { packages: Record<string, { dev?: boolean; version?: string }> }).packages;

    expect(Object.entries(packages).filter(([, entry]) => entry.dev)).toEqual([]);
    for (const name of Object.keys(plan.packageJson.dependencies)) expect(packages[`node_modules/${name}`]?.version).toBe(plan.packageJson.dependencies[name]);
    // Two copies of the API make spans vanish silently (docs: TOOLCHAIN).
    expect(Object.keys(packages).filter((key) => key.endsWith('node_modules/@opentelemetry/api'))).toEqual(['node_modules/@opentelemetry/api']);
    expect(Object.keys(packages).filter((key) => /node_modules\/(jest|typescript|nx|@nx\/[^/]+|eslint)$/.test(key))).toEqual([]);
  });
});

describe('images to rebuild for a change (deploy/docker/changed-images.cjs)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { imagesToRebuild } = require(path.join(WORKSPACE_ROOT, 'deploy/docker/changed-images.cjs')) as {
    imagesToRebuild(files: string[], graph?: unknown): Promise<string[]>;
  };
  let graph: unknown;
  beforeAll(async () => {
    graph = await assemble.projectGraph();
  });

  it('rebuilds only the cache image for a change to the cache', async () => {
    expect(await imagesToRebuild(['services/cache/src/main.ts', 'services/cache/package.json'], graph)).toEqual(['cache']);
  });

  it('rebuilds every image for a change to the one Dockerfile or its table of build arguments', async () => {
    expect(await imagesToRebuild(['deploy/docker/Dockerfile'], graph)).toEqual([...ALL_SERVICES].sort());
    expect(await imagesToRebuild(['deploy/docker/service-images.cjs'], graph)).toEqual([...ALL_SERVICES].sort());
  });

  it('rebuilds nothing for tests, docs or manifests', async () => {
    expect(await imagesToRebuild(['services/queue/src/admission/priority-queue.spec.ts', 'services/api-gateway/test/e2e/gateway.e2e.spec.ts', 'docs/operations.md', 'deploy/k8s/base/queue.yaml'], graph)).toEqual([]);
  });

  it('rebuilds every image that imports a changed library, and all of them for a lockfile change', async () => {
    expect(await imagesToRebuild(['libs/tokens/src/index.ts'], graph)).toEqual(expect.arrayContaining(['region-router']));
    expect(await imagesToRebuild(['libs/tokens/src/index.ts'], graph)).not.toContain('queue');
    expect(await imagesToRebuild(['package-lock.json'], graph)).toEqual([...ALL_SERVICES].sort());
  });
});
