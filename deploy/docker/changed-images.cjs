#!/usr/bin/env node
// Which service images a change needs rebuilt: a service's image changes when its own production files, the
// production files of a library it imports, the contracts, the lockfile or the image tooling change. Test files
// never change an image, and neither does another service (`nx affected` would also name the api-gateway for any
// service change, through the implicit dependencies its end-to-end tests declare).
//
//   node deploy/docker/changed-images.cjs <base-ref> [head-ref]    -> JSON array of service names
'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { planServiceImage, projectGraph } = require('./assemble-service.cjs');

/** Files every image is built from, whatever the service. */
const SHARED_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.base.json', 'nx.json', 'buf.yaml', 'buf.gen.yaml', 'proto/', 'deploy/docker/'];
const TEST_FILE = /(\.spec\.ts$|\/test\/|\/jest\.config\.cjs$|\/tsconfig\.spec\.json$)/;

async function imagesToRebuild(changedFiles, graph) {
  graph ??= await projectGraph();
  const apps = Object.values(graph.nodes).filter((node) => node.type === 'app' && node.data.root.startsWith('services/'));
  const production = changedFiles.filter((file) => !TEST_FILE.test(file));
  const rebuild = [];
  for (const app of apps) {
    const plan = await planServiceImage(app.name, graph);
    const roots = [`${app.data.root}/`, ...plan.libs.map((lib) => `${lib.root}/`), ...SHARED_INPUTS];
    if (production.some((file) => roots.some((root) => (root.endsWith('/') ? file.startsWith(root) : file === root)))) rebuild.push(app.name);
  }
  return rebuild.sort();
}

module.exports = { imagesToRebuild };

if (require.main === module) {
  const [base, head = 'HEAD'] = process.argv.slice(2);
  if (!base) {
    console.error('usage: node deploy/docker/changed-images.cjs <base-ref> [head-ref]');
    process.exit(2);
  }
  const root = path.resolve(__dirname, '..', '..');
  const files = execFileSync('git', ['diff', '--name-only', `${base}...${head}`], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  imagesToRebuild(files).then(
    (services) => console.log(JSON.stringify(services)),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
