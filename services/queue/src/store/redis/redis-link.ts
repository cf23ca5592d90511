import Redis, { ReplyError } from 'ioredis';
import type { Logger } from '@switchyard/service-kit';

export interface RedisLinkOptions {
  readonly url: string;
  /** The replica's own notification channel. */
  readonly channel: string;
  readonly commandTimeoutMs: number;
  /** Shown by CLIENT LIST, so an operator can tell which replica holds which connection. */
  readonly connectionName: string;
  readonly logger: Logger;
  readonly onMessage: (message: string) => void;
  /** Called once when the link goes down (either connection lost, or a command could not be trusted). */
  readonly onDown: (reason: string) => void;
  /** Called once both connections are back, before the link reports itself up; a throw forces a reconnect. */
  readonly onUp: () => Promise<void>;
}

/** Reconnect quickly at first, then every second: a queue waiting on Redis should notice its return soon. */
const retryStrategy = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 5), 1_000);

/**
 * The two Redis connections of one queue replica and whether they can be trusted right now.
 *
 * Commands go over `command`, which never queues while offline and never re-sends a command after a reconnect:
 * admission scripts are not idempotent, and a waiting caller must hear "unavailable" at once rather than sit in
 * a client-side buffer. Wake-ups arrive on `subscriber`. The link is up only while both are connected and
 * subscribed; losing either means a replica could miss a grant, so both count as an outage.
 */
export class RedisLink {
  readonly command: Redis;
  private readonly subscriber: Redis;
  private commandReady = false;
  private subscribed = false;
  private isUp = false;
  private wasUp = false;
  private recovering = false;
  private closing = false;
  private readonly upWaiters: (() => void)[] = [];

  constructor(private readonly options: RedisLinkOptions) {
    const common = { lazyConnect: true, retryStrategy, connectTimeout: Math.max(1_000, options.commandTimeoutMs) };
    this.command = new Redis(options.url, {
      ...common,
      connectionName: `${options.connectionName}:cmd`,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
    });
    this.subscriber = new Redis(options.url, { ...common, connectionName: `${options.connectionName}:sub`, autoResubscribe: false, maxRetriesPerRequest: null });
    this.command.on('ready', () => {
      this.commandReady = true;
      this.maybeUp();
    });
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(options.channel).then(
        () => {
          this.subscribed = true;
          this.maybeUp();
        },
        (err: unknown) => this.down(`subscribe failed: ${describe(err)}`),
      );
    });
    this.subscriber.on('message', (_channel: string, message: string) => options.onMessage(message));
    this.command.on('close', () => {
      this.commandReady = false;
      this.down('command connection closed');
    });
    this.subscriber.on('close', () => {
      this.subscribed = false;
      this.down('subscriber connection closed');
    });
    // Reconnect attempts fail with an 'error' each; the outage itself is logged once, by down().
    for (const connection of [this.command, this.subscriber]) {
      connection.on('error', (err: unknown) => options.logger.debug({ err: describe(err) }, 'queue: Redis connection error'));
    }
  }

  get up(): boolean {
    return this.isUp;
  }

  /**
   * Bounds one command by commandTimeoutMs. (ioredis's own commandTimeout keeps a live timer per command for the
   * whole period even after the reply; this one is cleared with the answer.)
   */
  timed<T>(command: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new CommandTimeout(this.options.commandTimeoutMs)), this.options.commandTimeoutMs);
      command.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** Connects; resolves once up, or after `waitMs` with the link still down (it keeps reconnecting). */
  async start(waitMs: number): Promise<boolean> {
    this.command.connect().catch(() => undefined);
    this.subscriber.connect().catch(() => undefined);
    if (this.isUp) return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      this.upWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.isUp;
  }

  /**
   * Sorts a failed command: a Lua or type error is a bug and is returned to be thrown as is; anything else
   * (timeout, lost connection, LOADING, READONLY, ...) means this connection's answers cannot be trusted, so
   * the link goes down and reconnects. Returns true for the latter.
   */
  isOutage(err: unknown): boolean {
    if (err instanceof ReplyError && /^(ERR|WRONGTYPE)\b/.test((err as Error).message)) return false;
    if (!this.closing) {
      this.down(`command failed: ${describe(err)}`);
      // A timed-out command may still run later; a fresh connection guarantees no late answer is mistaken for a new one.
      if (this.command.status === 'ready') this.command.disconnect(true);
    }
    return true;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.isUp = false;
    await Promise.allSettled(
      [this.command, this.subscriber].map(async (connection) => {
        // QUIT when connected; otherwise (or if QUIT fails) just stop reconnecting. A disconnect() after a
        // successful QUIT would leave a 2 s timer waiting for a close event that already happened.
        if (connection.status === 'ready') await connection.quit().catch(() => connection.disconnect());
        else connection.disconnect();
      }),
    );
  }

  private down(reason: string): void {
    if (this.closing) return;
    const wasUp = this.isUp;
    this.isUp = false;
    if (wasUp) this.options.onDown(reason);
  }

  private maybeUp(): void {
    if (this.closing || this.isUp || this.recovering || !this.commandReady || !this.subscribed) return;
    this.recovering = true;
    this.options.onUp().then(
      () => {
        this.recovering = false;
        if (!this.commandReady || !this.subscribed || this.closing) return;
        this.isUp = true;
        this.wasUp = true;
        for (const wake of this.upWaiters.splice(0)) wake();
      },
      (err: unknown) => {
        this.recovering = false;
        this.options.logger.error({ err: describe(err) }, 'queue: Redis recovery step failed; reconnecting');
        this.command.disconnect(true);
      },
    );
  }

  /** True once the link has been up at least once. */
  get everUp(): boolean {
    return this.wasUp;
  }
}

export class CommandTimeout extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = 'CommandTimeout';
  }
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
