// A bounded, open-loop gRPC load against the gateway, through the generated client from @switchyard/contracts.
// Arrivals follow each phase's rate whatever the answers do (a closed loop would slow down with the system
// and hide queueing); in-flight calls are capped so the generator itself cannot run away. Only 127.0.0.1.
import grpc from '@grpc/grpc-js';
import contracts from '@switchyard/contracts';
// Seeded (mulberry32), so two runs send the same mix.
import { seededRandom } from '@switchyard/service-kit/seeded-random';

const { gatewayV1 } = contracts;
const KEYS = { 'team-a': 'sk-switchyard-dev-a', 'team-b': 'sk-switchyard-dev-b' };
const PRIORITIES = [
  ['PRIORITY_CRITICAL', 0.05],
  ['PRIORITY_HIGH', 0.15],
  ['PRIORITY_NORMAL', 0.5],
  ['PRIORITY_LOW', 0.2],
  ['PRIORITY_BULK', 0.1],
];
const HOT_QUESTIONS = [
  'What is the capital of France?',
  'How many moons does Mars have?',
  'Translate good morning into Spanish.',
  'What is the boiling point of water at sea level?',
  'Who wrote Pride and Prejudice?',
  'What is the largest ocean on Earth?',
  'Name three primary colors.',
  'What does HTTP stand for?',
  'How many days are in a leap year?',
  'What is the chemical symbol for gold?',
  'Which planet is closest to the Sun?',
  'What language is spoken in Brazil?',
];
const ANALYSIS =
  'Analyze step by step the trade-offs between consistency, availability and partition tolerance for a globally ' +
  'replicated rate limiter, compare token buckets with sliding windows under clock skew, and recommend a design ' +
  'with failure modes, operational metrics and a migration plan from the current single-region deployment.';

function pick(random, weighted) {
  let r = random();
  for (const [value, weight] of weighted) {
    if ((r -= weight) < 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

/** The next request of the mix: repeated questions (exact hits), paraphrases (semantic), fresh ones, long analyses, embeddings. */
function nextRequest(random, sequence) {
  const tenant = random() < 0.7 ? 'team-a' : 'team-b';
  const priority = gatewayV1.Priority[pick(random, PRIORITIES)];
  const userRegion = random() < 0.8 ? 'eastus' : 'westeurope';
  if (random() < 0.2) {
    const count = 1 + Math.floor(random() * 8);
    const inputs = Array.from({ length: count }, (_, i) => `document ${sequence}-${i}: notes on ${HOT_QUESTIONS[(sequence + i) % HOT_QUESTIONS.length]}`);
    return { kind: 'embed', tenant, request: { inputs, priority, userRegion } };
  }
  const roll = random();
  const hot = HOT_QUESTIONS[Math.floor(random() * HOT_QUESTIONS.length)];
  let content;
  if (roll < 0.55) content = hot;
  else if (roll < 0.7) content = hot.toLowerCase().replace(/[?.]$/, '').replace(/^what is/, "what's");
  else if (roll < 0.88) content = `Question ${sequence}: in one sentence, what is ${sequence % 97} times ${(sequence * 7) % 89}?`;
  else content = `${ANALYSIS} (case ${sequence})`;
  return {
    kind: 'complete',
    tenant,
    request: { messages: [{ role: 'user', content }], priority, userRegion, maxTokens: content === hot ? 48 : 160 },
  };
}

/**
 * Runs `phases` one after another against the gateway at `address`. Before a phase starts, `phase.before()`
 * may change the world (inject or clear upstream faults). Returns counts per phase and gRPC status.
 */
export async function runLoad({ address, phases, seed = 7, maxInFlight = 200, deadlineMs = 10_000, onPhase = () => {} }) {
  const client = new gatewayV1.GatewayClient(address, grpc.credentials.createInsecure());
  const random = seededRandom(seed);
  const report = [];
  let sequence = 0;
  let inFlight = 0;
  const pending = new Set();

  for (const phase of phases) {
    await phase.before?.();
    const started = Date.now();
    onPhase(phase, started);
    const counts = { sent: 0, skipped: 0, byStatus: {}, byKind: { complete: 0, embed: 0 } };
    const interval = 1000 / phase.rate;
    for (let i = 0; started + i * interval < started + phase.seconds * 1000; i++) {
      const due = started + i * interval;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (inFlight >= maxInFlight) {
        counts.skipped++;
        continue;
      }
      const { kind, tenant, request } = nextRequest(random, sequence++);
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${KEYS[tenant]}`);
      const options = { deadline: new Date(Date.now() + deadlineMs) };
      inFlight++;
      counts.sent++;
      counts.byKind[kind]++;
      const call = new Promise((resolve) => {
        const done = (err) => {
          const status = err ? grpc.status[err.code] ?? String(err.code) : 'OK';
          counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
          inFlight--;
          resolve();
        };
        if (kind === 'embed') client.embed(gatewayV1.EmbedRequest.fromPartial(request), metadata, options, done);
        else client.complete(gatewayV1.CompleteRequest.fromPartial(request), metadata, options, done);
      });
      pending.add(call);
      call.then(() => pending.delete(call));
    }
    report.push({ label: phase.label, seconds: phase.seconds, rate: phase.rate, start: started, end: Date.now(), ...counts });
  }
  await Promise.all(pending);
  client.close();
  return report;
}
