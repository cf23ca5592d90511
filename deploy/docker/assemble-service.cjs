#!/usr/bin/env node
// Assembles the runtime folder of one service's image from its Nx build output:
//
//   <out>/package.json        the service's production dependencies only (found by Nx from its imports)
//   <out>/package-lock.json   the workspace lockfile pruned to those dependencies (same versions as CI tested)
//   <out>/dist/               the service's build output
//   <out>/node_modules/       `npm ci --omit=dev` of the two files above, plus the workspace libraries the
//                             service uses (their package.json and built files, never their sources)
//   <out>/healthcheck.cjs     the container's health probe: grpc-health-check.cjs, or http-health-check.cjs for the
//                             simulator (deploy/docker/service-images.cjs says which), because HEALTHCHECK cannot
//                             take a build argument
//
// Usage (from the repository root, after `npx nx run <service>:build`):
//   node deploy/docker/assemble-service.cjs <service> <out>
// deploy/docker/Dockerfile runs it in its build stage; tools/deploy-checks tests the plan it makes.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { serviceImage } = require('./service-images.cjs');

const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..');
/** Lib files that never belong in an image. */
const LIB_EXCLUDES = new Set(['src', 'test', 'node_modules', 'project.json', 'jest.config.cjs', 'tsconfig.lib.json', 'tsconfig.spec.json', 'tsconfig.json']);

/**
 * What the image of `project` needs, from the Nx project graph: its production package.json (external
 * dependencies it or its libraries import, at the root manifest's versions), the pruned lockfile, and
 * the workspace libraries to copy in.
 */
async function planServiceImage(project, graph) {
  const { createPackageJson, createLockFile } = require('@nx/js');
  graph ??= await projectGraph();
  const node = graph.nodes[project];
  if (!node || node.type !== 'app') throw new Error(`${project} is not an application project of this workspace`);

  const libs = workspaceLibraries(graph, project, createPackageJson);
  const libNames = new Set(libs.map((lib) => lib.packageName));
  const generated = createPackageJson(project, graph, { isProduction: true, root: WORKSPACE_ROOT });
  const dependencies = Object.fromEntries(Object.entries(generated.dependencies ?? {}).filter(([name]) => !libNames.has(name)));
  const rootManifest = readJson(path.join(WORKSPACE_ROOT, 'package.json'));
  const packageJson = {
    name: generated.name,
    version: generated.version,
    private: true,
    main: generated.main,
    engines: rootManifest.engines,
    dependencies: sortKeys(dependencies),
    // npm 11 reads its install-script allowlist from the install root only.
    ...(rootManifest.allowScripts ? { allowScripts: rootManifest.allowScripts } : {}),
  };
  const lockfile = createLockFile(packageJson, graph, 'npm');
  const allowedScripts = Object.entries(rootManifest.allowScripts ?? {})
    .filter(([name, allowed]) => allowed === true && JSON.parse(lockfile).packages[`node_modules/${name}`])
    .map(([name]) => name);
  return { project, root: node.data.root, packageJson, lockfile, libs, allowedScripts, healthCheck: serviceImage(project).healthCheck };
}

function projectGraph() {
  const { createProjectGraphAsync } = require('@nx/devkit');
  return createProjectGraphAsync({ exitOnError: true });
}

/**
 * Workspace libraries the production code of `project` imports, directly or through other libraries.
 * createPackageJson reads only the files of the `production` named input, so test-only libraries
 * (@switchyard/testing, local-stack) stay out.
 */
function workspaceLibraries(graph, project, createPackageJson) {
  const byPackage = new Map();
  for (const [name, node] of Object.entries(graph.nodes)) {
    if (node.type !== 'lib') continue;
    const manifest = path.join(WORKSPACE_ROOT, node.data.root, 'package.json');
    if (fs.existsSync(manifest)) byPackage.set(readJson(manifest).name, { project: name, root: node.data.root, packageName: readJson(manifest).name });
  }
  const found = new Map();
  const visit = (name) => {
    const manifest = createPackageJson(name, graph, { isProduction: true, root: WORKSPACE_ROOT });
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      const lib = byPackage.get(dep);
      if (!lib || found.has(lib.project)) continue;
      found.set(lib.project, lib);
      visit(lib.project);
    }
  };
  visit(project);
  return [...found.values()].sort((a, b) => a.project.localeCompare(b.project));
}

async function assemble(project, outDir) {
  const plan = await planServiceImage(project);
  const serviceDist = path.join(WORKSPACE_ROOT, plan.root, 'dist');
  if (!fs.existsSync(path.join(serviceDist, 'main.js'))) throw new Error(`${serviceDist}/main.js is missing: run npx nx run ${project}:build first`);

  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'package.json'), JSON.stringify(plan.packageJson, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'package-lock.json'), plan.lockfile);
  // Scripts run only for packages the workspace allows (npm 10 in the image would run them all).
  execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: outDir, stdio: 'inherit' });
  if (plan.allowedScripts.length > 0) execFileSync('npm', ['rebuild', ...plan.allowedScripts], { cwd: outDir, stdio: 'inherit' });

  fs.cpSync(serviceDist, path.join(outDir, 'dist'), { recursive: true, filter: withoutSourceMaps });
  for (const lib of plan.libs) {
    const from = path.join(WORKSPACE_ROOT, lib.root);
    const to = path.join(outDir, 'node_modules', ...lib.packageName.split('/'));
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from)) {
      if (LIB_EXCLUDES.has(entry)) continue;
      fs.cpSync(path.join(from, entry), path.join(to, entry), { recursive: true, filter: withoutSourceMaps });
    }
  }
  fs.copyFileSync(path.join(__dirname, plan.healthCheck), path.join(outDir, 'healthcheck.cjs'));
  console.log(`assembled ${project} ${plan.packageJson.version} in ${outDir}: ${Object.keys(plan.packageJson.dependencies).length} npm dependencies, libs ${plan.libs.map((l) => l.packageName).join(', ')}`);
}

// Declarations and maps only help a debugger with the sources, which the image does not carry.
function withoutSourceMaps(file) {
  return !file.endsWith('.map') && !file.endsWith('.d.ts');
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function sortKeys(record) {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

module.exports = { planServiceImage, projectGraph };

if (require.main === module) {
  const [project, outDir] = process.argv.slice(2);
  if (!project || !outDir) {
    console.error('usage: node deploy/docker/assemble-service.cjs <service> <out-dir>');
    process.exit(2);
  }
  assemble(project, path.resolve(outDir)).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
