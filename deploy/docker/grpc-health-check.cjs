#!/usr/bin/env node
// Container health probe for Docker and compose (Kubernetes uses its native gRPC probe instead):
// asks the service's own grpc.health.v1 Check for the whole server ("") on GRPC_PORT and exits 0
// only for SERVING. No grpc_health_probe binary and no .proto files: an empty request encodes to
// zero bytes, and a SERVING response is exactly field 1 = 1 (bytes 0x08 0x01).
'use strict';

const grpc = require('@grpc/grpc-js');

const port = Number(process.argv[2] ?? process.env.GRPC_PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('grpc-health-check: GRPC_PORT (or a port argument) is required');
  process.exit(2);
}

const SERVING = 1;
const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
client.makeUnaryRequest(
  '/grpc.health.v1.Health/Check',
  (request) => request,
  (response) => response,
  Buffer.alloc(0),
  new grpc.Metadata(),
  { deadline: Date.now() + 2_000 },
  (err, response) => {
    client.close();
    const status = !err && response.length === 2 && response[0] === 0x08 ? response[1] : 0;
    if (status !== SERVING) console.error(err ? `grpc-health-check: ${err.message}` : `grpc-health-check: status ${status}, not SERVING`);
    process.exit(status === SERVING ? 0 : 1);
  },
);
