import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import pino from 'pino';
import { PriorityRequestQueue, type AdmissionConfig, type AdmissionController, type AdmissionEvent } from '../../src/admission';
import { RedisAdmissionController, type RedisAdmissionOptions } from '../../src/store';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Quiet unless a test run asks for logs. */
export const testLogger = pino({ level: process.env.QUEUE_TEST_LOG_LEVEL ?? 'silent' });

export interface Harness {
  readonly queue: AdmissionController;
  /** Every outcome, in the order this replica reported it. */
  readonly events: AdmissionEvent[];
  /** Another replica sharing the same pools (Redis only); its events go to the same list. */
  replica(): Promise<AdmissionController>;
}

export interface Backend {
  readonly name: 'memory' | 'redis';
  create(config: AdmissionConfig): Promise<Harness>;
  /** Closes every controller created since the last cleanup and deletes the keys they wrote. */
  cleanup(): Promise<void>;
}

export function memoryBackend(): Backend {
  const open: AdmissionController[] = [];
  return {
    name: 'memory',
    async create(config) {
      const events: AdmissionEvent[] = [];
      const queue = new PriorityRequestQueue({ config, onEvent: (e) => events.push(e) });
      open.push(queue);
      return {
        queue,
        events,
        replica: () => Promise.reject(new Error('the in-memory queue has no replicas')),
      };
    },
    async cleanup() {
      await Promise.all(open.splice(0).map((q) => q.close()));
    },
  };
}

/** A fresh key prefix per test, removed afterwards; a Redis that does not answer fails the test. */
export function redisBackend(extra: Partial<RedisAdmissionOptions> = {}): Backend {
  const open: RedisAdmissionController[] = [];
  const prefixes: string[] = [];
  return {
    name: 'redis',
    async create(config) {
      const keyPrefix = `switchyard-test:queue:${randomUUID()}`;
      prefixes.push(keyPrefix);
      const events: AdmissionEvent[] = [];
      const start = async () => {
        const controller = new RedisAdmissionController({
          url: REDIS_URL,
          keyPrefix,
          config,
          failureMode: 'fail-closed',
          replicaTtlMs: 2_000,
          commandTimeoutMs: 2_000,
          logger: testLogger,
          onEvent: (e) => events.push(e),
          ...extra,
        });
        open.push(controller);
        if (!(await controller.start(5_000))) throw new Error(`Redis did not answer at ${REDIS_URL}; the Redis store tests need it`);
        return controller;
      };
      return { queue: await start(), events, replica: start };
    },
    async cleanup() {
      await Promise.all(open.splice(0).map((c) => c.close()));
      await deleteKeys(prefixes.splice(0));
    },
  };
}

export async function deleteKeys(prefixes: readonly string[], url = REDIS_URL): Promise<void> {
  if (prefixes.length === 0) return;
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await admin.connect();
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await admin.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    admin.disconnect();
  }
}
