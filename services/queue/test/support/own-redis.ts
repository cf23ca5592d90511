import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { waitUntil } from '@switchyard/testing';
import { freePort } from './free-port';

/**
 * A private redis-server on a free port, for tests that kill and restart Redis. (The shared Redis at REDIS_URL is
 * never restarted by a test.) No persistence: a restart comes back empty, like a failed-over cache node.
 */
export class OwnRedis {
  private process?: ChildProcess;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-queue-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    this.process = spawn('redis-server', args, { stdio: 'ignore' });
    const failed = new Promise<never>((_, reject) => this.process?.once('error', reject));
    await Promise.race([failed, waitUntil(() => this.answers(), `redis-server on ${this.port} to answer`, 5_000, 20)]);
  }

  /** SIGKILL: no goodbye to clients, like a crashed node. */
  async kill(): Promise<void> {
    const proc = this.process;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async answers(): Promise<boolean> {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await client.connect();
      const pong = (await client.ping()) === 'PONG';
      await client.quit();
      return pong;
    } catch {
      // Already closed after a failed connect: disconnect() now would leave a 2 s timer waiting for a second close.
      if (client.status !== 'end') client.disconnect();
      return false;
    }
  }
}
