import type { Clock } from '@switchyard/service-kit/clock';
import type { Redis } from 'ioredis';
import type { ScopedVectorIndex } from '../../vector-index';
import { bufferToVector } from './entry-fields';

/** A place in the change stream: the last entry id read and its event number (0 before any event). */
export interface StreamPosition {
  id: string;
  n: number;
}

export interface EventFollowerOptions {
  /** A connection of its own: XREAD BLOCK holds it. */
  subscriber: Redis;
  /** The shared connection, for reading the vectors that put events refer to. */
  reader: Redis;
  stream: string;
  entryKey: (key: string) => string;
  clock: Clock;
  /** The index to apply changes to (read on every batch, because a rebuild swaps it). */
  index: () => ScopedVectorIndex;
  /** Rebuilds the index from Redis; resolves to the stream position to continue from. */
  rebuild: () => Promise<StreamPosition>;
  onError: (error: unknown) => void;
  /** Longest a single XREAD waits for news; bounds how long stop() takes. */
  blockMs?: number;
}

export interface FollowerStatus {
  position: StreamPosition;
  /** Age of the last applied event when it was applied (ms): how stale this replica's index was. */
  lastLagMs: number;
  appliedEvents: number;
  /** Full rebuilds after events were missed (the stream was trimmed past this replica's position). */
  rebuilds: number;
}

const MAX_BACKOFF_MS = 2_000;

/** The position of the newest event in `stream` ({id '0-0', n 0} when it is empty). */
export async function latestPosition(redis: Redis, stream: string): Promise<StreamPosition> {
  const [latest] = await redis.xrevrange(stream, '+', '-', 'COUNT', 1);
  if (!latest) return { id: '0-0', n: 0 };
  return { id: latest[0], n: Number(fieldsOf(latest[1]).n ?? 0) };
}

function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

/**
 * Follows the change stream and applies it to this replica's index: put events make the index match the
 * entry's current state in Redis (so the stream stays small and order cannot resurrect old versions),
 * del events remove keys. Events are idempotent, so a
 * replica may see its own writes twice. Every event carries a number one above the previous one; when
 * the next number read is not the expected one, events were trimmed away before this replica read
 * them (it was disconnected or too slow), and the index is rebuilt from Redis instead.
 */
export class EventFollower {
  private position: StreamPosition = { id: '0-0', n: 0 };
  private lastLagMs = 0;
  private appliedEvents = 0;
  private rebuilds = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: EventFollowerOptions) {}

  async start(from: StreamPosition): Promise<void> {
    this.position = from;
    this.loop = this.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Interrupts a blocked XREAD; the loop sees `stopped` and ends.
    this.options.subscriber.disconnect();
    await this.loop;
  }

  status(): FollowerStatus {
    return { position: { ...this.position }, lastLagMs: this.lastLagMs, appliedEvents: this.appliedEvents, rebuilds: this.rebuilds };
  }

  private async follow(): Promise<void> {
    let backoffMs = 50;
    while (!this.stopped) {
      try {
        const reply = (await this.options.subscriber.xread(
          'COUNT',
          500,
          'BLOCK',
          this.options.blockMs ?? 1_000,
          'STREAMS',
          this.options.stream,
          this.position.id,
        )) as Array<[string, Array<[string, string[]]>]> | null;
        if (reply) for (const [, entries] of reply) await this.apply(entries);
        backoffMs = 50;
      } catch (error) {
        if (this.stopped) return;
        this.options.onError(error);
        await new Promise((resolve) => setTimeout(resolve, backoffMs).unref());
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async apply(entries: Array<[string, string[]]>): Promise<void> {
    const events = entries.map(([id, flat]) => ({ id, fields: fieldsOf(flat) }));
    const firstN = Number(events[0]?.fields.n ?? 0);
    if (events.length > 0 && firstN !== this.position.n + 1) {
      this.rebuilds++;
      this.position = await this.options.rebuild();
      return;
    }
    // A put event only says "this key changed": its current state is read from Redis, so a late event
    // can never bring back an older scope or vector.
    const puts = events.filter((e) => e.fields.op === 'put' && e.fields.k);
    const current = new Map<string, { tenant: string; scope: string; vector: Float32Array; expiresAt: number } | undefined>();
    if (puts.length > 0) {
      const pipeline = this.options.reader.pipeline();
      for (const put of puts) pipeline.hmgetBuffer(this.options.entryKey(put.fields.k!), 't', 's', 'v', 'x');
      const replies = (await pipeline.exec()) ?? [];
      puts.forEach((put, i) => {
        const [error, value] = replies[i] ?? [new Error('no reply'), null];
        if (error) throw error;
        const [tenant, scope, vector, expiry] = value as Array<Buffer | null>;
        current.set(
          put.fields.k!,
          tenant && scope && vector && expiry
            ? { tenant: tenant.toString(), scope: scope.toString(), vector: bufferToVector(vector), expiresAt: Number(expiry.toString()) }
            : undefined,
        );
      });
    }
    const index = this.options.index();
    const now = this.options.clock.now();
    for (const { id, fields } of events) {
      if (fields.op === 'put' && fields.k) {
        const found = current.get(fields.k);
        if (found && found.expiresAt > now) index.upsert(fields.k, found);
        else index.remove(fields.k);
      } else if (fields.op === 'del' && fields.keys) {
        for (const key of fields.keys.split(',')) index.remove(key);
      }
      this.position = { id, n: Number(fields.n ?? this.position.n + 1) };
      this.appliedEvents++;
      this.lastLagMs = Math.max(0, Date.now() - Number(id.split('-')[0]));
    }
  }
}
