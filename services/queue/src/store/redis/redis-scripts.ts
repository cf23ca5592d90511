import type Redis from 'ioredis';
import type { Priority, ResolvedPoolLimits, RetryHintConfig } from '../../admission';
import { ADMISSION_SCRIPTS, type AdmissionScriptName } from './lua';

/** What every script needs to know about the pool it runs on (ARGV[1], as JSON). */
export interface RedisPoolSettings {
  readonly pool: string;
  readonly limits: ResolvedPoolLimits;
  readonly retryHint: RetryHintConfig;
  readonly replicaId: string;
  readonly replicaTtlMs: number;
  /** Channel prefix; the replica's own channel is this + its id. */
  readonly channelPrefix: string;
}

export interface LapsedLease {
  readonly leaseId: string;
  readonly tenant: string;
  readonly priority: Priority;
  readonly waitMs: number;
  readonly holdMs: number;
  readonly requestId: string;
}

export interface ScriptReply<R> {
  readonly result: R;
  readonly lapsed: readonly LapsedLease[];
  /** Earliest lease expiry in Redis time, 0 when no lease is held. */
  readonly nextExpiryMs: number;
  /** Redis time when the script ran; with nextExpiryMs it gives a delay that ignores local clock skew. */
  readonly nowMs: number;
}

export type EnqueueResult = { k: 'granted' } | { k: 'queued' } | { k: 'rejected'; retry: number };

export interface RedisPoolSnapshot {
  readonly active: number;
  readonly waiting: number;
  readonly depth: readonly number[];
  readonly tenants: ReadonlyMap<string, number>;
  readonly counters: Readonly<Record<string, number>>;
  readonly oldestWaitMs: number;
  readonly averageHoldMs: number;
  readonly replicas: number;
}

type RawReply = { r: unknown; lapsed: unknown; next: number; now: number };
type ScriptCommand = (key: string, ...args: (string | number)[]) => Promise<string>;

/** cjson encodes an empty Lua table as {}, so every list may come back as an object. */
const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/** Flat [k1, v1, k2, v2, ...] from HGETALL. */
function pairs(value: unknown): [string, number][] {
  const flat = list<string>(value);
  const out: [string, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), Number(flat[i + 1])]);
  return out;
}

/**
 * The admission scripts bound to one connection. ioredis sends EVALSHA and falls back to EVAL on NOSCRIPT, so a
 * restarted Redis (empty script cache) needs nothing special.
 */
export class AdmissionScripts {
  private readonly commands: Record<AdmissionScriptName, ScriptCommand>;

  /** `timed` bounds each call (RedisLink.timed). */
  constructor(
    redis: Redis,
    private readonly timed: <T>(command: Promise<T>) => Promise<T> = (command) => command,
  ) {
    for (const [name, lua] of Object.entries(ADMISSION_SCRIPTS)) redis.defineCommand(name, { numberOfKeys: 1, lua });
    this.commands = redis as unknown as Record<AdmissionScriptName, ScriptCommand>;
  }

  static settingsArg(s: RedisPoolSettings): string {
    return JSON.stringify({
      pool: s.pool,
      max: s.limits.maxConcurrent,
      qmax: s.limits.maxQueueSize,
      ttl: s.limits.leaseTtlMs,
      share: s.limits.minSharePercent,
      rmin: s.retryHint.minMs,
      rmax: s.retryHint.maxMs,
      hold0: s.retryHint.initialHoldMs,
      rid: s.replicaId,
      rttl: s.replicaTtlMs,
      ch: s.channelPrefix,
    });
  }

  async enqueue(key: string, settings: string, w: { id: string; tenant: string; priority: Priority; deadlineMs: number; requestId: string }) {
    return this.run<EnqueueResult>('queueEnqueue', key, settings, w.id, w.tenant, w.priority, w.deadlineMs, w.requestId);
  }

  async release(key: string, settings: string, leaseId: string) {
    const reply = await this.run<{ k: number; lease: unknown }>('queueRelease', key, settings, leaseId);
    const lease = reply.result.lease ? toLapsed(reply.result.lease) : undefined;
    return { ...reply, result: lease };
  }

  async renew(key: string, settings: string, leaseId: string) {
    const reply = await this.run<{ k: number }>('queueRenew', key, settings, leaseId);
    return { ...reply, result: reply.result.k === 1 };
  }

  async leave(key: string, settings: string, reason: 'cancelled' | 'expired', ids: readonly string[]) {
    const reply = await this.run<{ k: unknown }>('queueLeave', key, settings, reason, ...ids);
    return { ...reply, result: list<'w' | 'g' | '-'>(reply.result.k) };
  }

  /** Per id: 'waiting', a grant with its wait, or 'gone'. */
  async tick(key: string, settings: string, ids: readonly string[]) {
    const reply = await this.run<{ k: unknown }>('queueTick', key, settings, ...ids);
    const status = list<string>(reply.result.k).map((s) =>
      s === 'w' ? ({ state: 'waiting' } as const) : s.startsWith('g:') ? ({ state: 'granted', waitMs: Number(s.slice(2)) } as const) : ({ state: 'gone' } as const),
    );
    return { ...reply, result: status };
  }

  async stats(key: string, settings: string) {
    const reply = await this.run<Record<string, unknown>>('queueStats', key, settings);
    const r = reply.result;
    const snapshot: RedisPoolSnapshot = {
      active: Number(r.active),
      waiting: Number(r.waiting),
      depth: list<number>(r.depth).map(Number),
      tenants: new Map(pairs(r.tenants).filter(([, depth]) => depth > 0)),
      counters: Object.fromEntries(pairs(r.counters)),
      oldestWaitMs: Number(r.oldest),
      averageHoldMs: Number(r.hold),
      replicas: Number(r.replicas),
    };
    return { ...reply, result: snapshot };
  }

  private async run<R>(name: AdmissionScriptName, key: string, ...args: (string | number)[]): Promise<ScriptReply<R>> {
    const raw = JSON.parse(await this.timed(this.commands[name](key, ...args))) as RawReply;
    return { result: raw.r as R, lapsed: list<unknown>(raw.lapsed).map(toLapsed), nextExpiryMs: Number(raw.next), nowMs: Number(raw.now) };
  }
}

function toLapsed(value: unknown): LapsedLease {
  const [leaseId, tenant, priority, waitMs, holdMs, requestId] = value as [string, string, number, number, number, string];
  return { leaseId, tenant, priority: priority as Priority, waitMs, holdMs, requestId };
}
