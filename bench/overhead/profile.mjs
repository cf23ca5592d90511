// Where the CPU goes: runs one topology under fixed-rate gRPC Complete load with every Switchyard process started
// under `node --cpu-prof`, then sums self time by package/area and lists the hottest functions.
// Usage (after a build): node bench/overhead/profile.mjs [--topology processes|one-process] [--path grpc|http]
//   [--rate 80] [--seconds 10] [--tracing off|on]
// Bounded: one load phase of --seconds; profiles land in a temp folder named in the output. Each process's profile
// restarts (SIGUSR2) after the warm-up, so only the steady state is counted.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLoop } from './lib/load.mjs';
import { arg, grpcSender, httpSender } from './lib/senders.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const require = createRequire(import.meta.url);
const { startStack } = require(path.join(root, 'libs/local-stack/dist/index.js'));

const topology = arg('topology', 'one-process');
const rate = Number(arg('rate', 80));
const seconds = Number(arg('seconds', 10));
const tracing = arg('tracing', 'off');
const via = arg('path', 'grpc');
const profDir = fs.mkdtempSync(path.join(os.tmpdir(), `switchyard-prof-${topology}-`));
delete process.env.REDIS_URL;

const stack = await startStack({
  topology,
  ports: 'free',
  simLatencyMs: 0,
  logDir: path.join(profDir, 'logs'),
  env: {
    OTEL_METRICS_EXPORTER: 'none',
    ...(tracing === 'off' ? { OTEL_TRACES_EXPORTER: 'none' } : {}),
    BATCHER_MAX_WAIT_MS: '0',
    QUEUE_MAX_CONCURRENT: '100000',
    SIM_TPM_LIMIT: '1000000000',
    SIM_RPM_LIMIT: '1000000000',
  },
  serviceEnv: Object.fromEntries(
    ['api-gateway', 'model-router', 'cache', 'queue', 'batcher', 'region-router'].map((s) => [s, { NODE_OPTIONS: `--require ${path.join(here, 'lib/cpu-prof-hook.cjs')}`, CPU_PROF_DIR: profDir }]),
  ),
});
const sender = via === 'http' ? httpSender(stack.gatewayHttpUrl) : grpcSender(stack.gatewayAddress);
const send = sender.send;
await openLoop(30, 2, send); // warm-up
for (const service of new Set(stack.services.filter((p) => !p.name.startsWith('upstream-sim')))) process.kill(service.pid, 'SIGUSR2');
await new Promise((resolve) => setTimeout(resolve, 200));
const result = await openLoop(rate, seconds, send);
console.log(`${topology} over ${via}: ${result.ok} ok, ${result.errors} errors, p50 ${result.p50} ms, p99 ${result.p99} ms${result.firstError ? `, first error: ${result.firstError}` : ''}`);
sender.close();
await stack.stop();

// ---- summarise ----
const AREAS = [
  ['grpc-js', /@grpc\/grpc-js/],
  ['opentelemetry', /@opentelemetry/],
  ['protobuf (ts-proto/bufbuild)', /@bufbuild|libs\/contracts/],
  ['pino (logging)', /pino|sonic-boom/],
  ['openai sdk', /node_modules\/openai/],
  ['cache (embedder, index, store)', /services\/cache\//],
  ['tokenizer', /gpt-tokenizer|libs\/tokens/],
  ['zod', /node_modules\/zod/],
  ['undici/fetch', /undici|node:internal\/deps\/undici/],
  ['switchyard services', /services\//],
  ['switchyard libs', /libs\//],
  ['node http/net/streams', /node:(internal\/)?(http|_http|net|stream|internal\/streams|tls|dns)/],
  ['node other', /^node:/],
  ['GC / runtime / idle', /^$/],
];
const areaOf = (frame) => {
  if (frame.functionName === '(garbage collector)') return 'GC / runtime / idle';
  if (frame.functionName === '(idle)' || frame.functionName === '(program)') return 'idle/program';
  return AREAS.find(([, re]) => re.test(frame.url))?.[0] ?? 'other';
};
for (const file of fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(fs.readFileSync(path.join(profDir, file), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const areas = new Map();
  const fns = new Map();
  let busy = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id).callFrame;
    const area = areaOf(frame);
    if (area === 'idle/program' && frame.functionName === '(idle)') continue;
    busy += us;
    areas.set(area, (areas.get(area) ?? 0) + us);
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(root + '/', '')}:${frame.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const perReq = (us) => (us / 1000 / Math.max(1, result.ok)).toFixed(3);
  console.log(`\n${file}: busy ${(busy / 1e6).toFixed(2)} s, ${perReq(busy)} ms CPU per request`);
  for (const [area, us] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${area.padEnd(34)} ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${perReq(us)} ms/req`);
  console.log('  hottest functions (self time):');
  for (const [fn, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${fn.slice(0, 140)}`);
}
console.log(`\nprofiles: ${profDir}`);
