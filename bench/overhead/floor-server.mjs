// The floor: one bare grpc-js server per process, shaped like one Switchyard service on the request path and doing no
// work of its own. The hub (gateway's place) answers a request by calling the others in the gateway's order; the
// batcher's place calls the region router's place, which makes the same HTTP call to upstream-sim Switchyard makes.
// Messages are opaque bytes of the sizes the real messages have (sizes passed in FLOOR_SIZES by run.mjs).
// Env: FLOOR_ROLE (hub|model-router|cache|queue|batcher|region-router), FLOOR_DOWNSTREAM (JSON role -> address),
// FLOOR_SIZES (JSON), FLOOR_UPSTREAM_URL (region-router only). Prints {"event":"ready","port":N} when listening.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const grpc = require('@grpc/grpc-js');

const role = process.env.FLOOR_ROLE;
const downstream = JSON.parse(process.env.FLOOR_DOWNSTREAM ?? '{}');
const sizes = JSON.parse(process.env.FLOOR_SIZES);
const upstreamUrl = process.env.FLOOR_UPSTREAM_URL;
const bytes = (n) => Buffer.alloc(n, 120);
const identity = (b) => b;
const PATH = '/floor.Hop/Call';
const definition = { call: { path: PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } };

const Client = grpc.makeGenericClientConstructor(definition, 'floor');
const clients = Object.fromEntries(Object.entries(downstream).map(([name, address]) => [name, new Client(address, grpc.credentials.createInsecure())]));
const call = (name, size) =>
  new Promise((resolve, reject) =>
    clients[name].makeUnaryRequest(PATH, identity, identity, bytes(size), new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err, res) => (err ? reject(err) : resolve(res))),
  );

const upstreamBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(Math.max(1, sizes.prompt)) }], max_tokens: 64 });

const handlers = {
  // Same calls on the latency path as the gateway: select, lookup, acquire, execute; release and store after the answer.
  hub: async () => {
    await call('model-router', sizes.select.req);
    await call('cache', sizes.lookup.req);
    await call('queue', sizes.acquire.req);
    await call('batcher', sizes.execute.req);
    setImmediate(() => {
      call('queue', sizes.release.req).catch(() => undefined);
      call('cache', sizes.store.req).catch(() => undefined);
    });
    return sizes.complete.res;
  },
  'model-router': async () => sizes.select.res,
  cache: async (req) => (req.length === sizes.store.req ? sizes.store.res : sizes.lookup.res),
  queue: async (req) => (req.length === sizes.release.req ? sizes.release.res : sizes.acquire.res),
  batcher: async () => {
    await call('region-router', sizes.dispatch.req);
    return sizes.execute.res;
  },
  'region-router': async () => {
    const res = await fetch(upstreamUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: upstreamBody });
    await res.arrayBuffer();
    return sizes.dispatch.res;
  },
};
const handle = handlers[role];
if (!handle) throw new Error(`unknown FLOOR_ROLE ${role}`);

const server = new grpc.Server();
server.addService(definition, {
  call: (c, callback) => handle(c.request).then((size) => callback(null, bytes(size)), (err) => callback({ code: grpc.status.INTERNAL, details: String(err) })),
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  console.log(JSON.stringify({ event: 'ready', port, address: `127.0.0.1:${port}` }));
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
