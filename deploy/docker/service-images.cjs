#!/usr/bin/env node
// What differs between the service images, in one table: every image is built from deploy/docker/Dockerfile with
// the build arguments this table gives it. build-image.sh and CI ask for them here; compose lists them and
// tools/deploy-checks compares those with this table; the Dockerfile's build stage checks whatever it was given
// against this table, so a wrong port fails the build rather than the container. The ports must equal each
// service's config defaults and its Kubernetes manifests (tools/deploy-checks checks both).
//
//   node deploy/docker/service-images.cjs build-args <service>   -> KEY=VALUE lines, VERSION from the service's package.json
//   node deploy/docker/service-images.cjs check-build-args       -> exit 1 unless the build arguments in the environment
//                                                                   (as a Dockerfile RUN sees them) match the table
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..');

/** Where a gRPC service reads its listen address from, and how its container checks its health. */
const GRPC = { hostVar: 'GRPC_HOST', portVar: 'GRPC_PORT', healthCheck: 'grpc-health-check.cjs' };

const SERVICE_IMAGES = {
  'api-gateway': { ...GRPC, port: 50051, description: 'the front door: authenticates, then chains model-router, cache, queue and batcher' },
  queue: { ...GRPC, port: 50052, description: 'priority admission with deadlines and fairness' },
  cache: { ...GRPC, port: 50053, description: 'exact and semantic response cache' },
  batcher: { ...GRPC, port: 50054, description: 'groups compatible requests into upstream batches' },
  'model-router': { ...GRPC, port: 50055, description: 'picks the model for a request' },
  'region-router': { ...GRPC, port: 50056, description: 'picks the region and calls the OpenAI-compatible upstream' },
  // The simulator serves HTTP, configured by its own SIM_* variables, and answers health on /healthz.
  'upstream-sim': {
    hostVar: 'SIM_HOST',
    portVar: 'SIM_PORT',
    healthCheck: 'http-health-check.cjs',
    port: 8400,
    description: 'OpenAI-compatible upstream simulator, for development and tests only',
  },
};

/** Build arguments the Dockerfile takes from the table (VERSION comes from the service's package.json). */
const TABLE_ARGS = ['SERVICE', 'SERVICE_DESCRIPTION', 'SERVICE_PORT', 'HOST_VAR', 'PORT_VAR'];

function serviceImage(service) {
  const image = Object.hasOwn(SERVICE_IMAGES, service) ? SERVICE_IMAGES[service] : undefined;
  if (!image) throw new Error(`no image for "${service}" in deploy/docker/service-images.cjs (known: ${Object.keys(SERVICE_IMAGES).join(', ')})`);
  return image;
}

function packageVersion(service) {
  return JSON.parse(fs.readFileSync(path.join(WORKSPACE_ROOT, 'services', service, 'package.json'), 'utf8')).version;
}

/** Every --build-arg deploy/docker/Dockerfile needs for `service`, in the order build-image.sh passes them. */
function imageBuildArgs(service, version) {
  const image = serviceImage(service);
  version ??= packageVersion(service);
  return {
    SERVICE: service,
    SERVICE_DESCRIPTION: image.description,
    SERVICE_PORT: String(image.port),
    HOST_VAR: image.hostVar,
    PORT_VAR: image.portVar,
    VERSION: version,
  };
}

/** One line per build argument given in `env` that disagrees with the table; empty when they all match. */
function buildArgProblems(env) {
  if (!env.SERVICE) return ['SERVICE is not set: build with deploy/docker/build-image.sh <service>, or pass the arguments it prints'];
  if (!Object.hasOwn(SERVICE_IMAGES, env.SERVICE)) return [`SERVICE=${env.SERVICE}: ${Object.keys(SERVICE_IMAGES).join(', ')} have images`];
  const expected = imageBuildArgs(env.SERVICE, 'unused');
  return TABLE_ARGS.filter((name) => env[name] !== expected[name]).map((name) => `${name}=${env[name] ?? ''}, but the table says ${name}=${expected[name]}`);
}

module.exports = { SERVICE_IMAGES, TABLE_ARGS, serviceImage, imageBuildArgs, buildArgProblems };

if (require.main === module) {
  const [command, service] = process.argv.slice(2);
  try {
    if (command === 'build-args' && service) {
      for (const [name, value] of Object.entries(imageBuildArgs(service))) console.log(`${name}=${value}`);
    } else if (command === 'check-build-args') {
      const problems = buildArgProblems(process.env);
      for (const problem of problems) console.error(`build argument ${problem} (deploy/docker/service-images.cjs)`);
      process.exit(problems.length === 0 ? 0 : 1);
    } else {
      console.error('usage: node deploy/docker/service-images.cjs build-args <service> | check-build-args');
      process.exit(2);
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
