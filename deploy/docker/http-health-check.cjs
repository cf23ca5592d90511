#!/usr/bin/env node
// Container health probe for the upstream simulator, which serves HTTP rather than gRPC (Docker and compose;
// Kubernetes probes /healthz itself): GET /healthz on SIM_PORT (or a port argument), exit 0 only for a 2xx answer.
// assemble-service.cjs ships it as healthcheck.cjs in the images deploy/docker/service-images.cjs gives it to.
'use strict';

const port = Number(process.argv[2] ?? process.env.SIM_PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('http-health-check: SIM_PORT (or a port argument) is required');
  process.exit(2);
}

fetch(`http://127.0.0.1:${port}/healthz`).then(
  (response) => {
    if (!response.ok) console.error(`http-health-check: status ${response.status}`);
    process.exit(response.ok ? 0 : 1);
  },
  (err) => {
    console.error(`http-health-check: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
