import type { ServerResponse } from 'node:http';

/**
 * Server-sent events as OpenAI sends them: `data: <json>` blocks, `data: [DONE]` at the end. Each event is
 * written as soon as it exists (no buffering), and `send` waits while the client reads slower than we write.
 */
export class SseWriter {
  private opened = false;

  constructor(private readonly res: ServerResponse) {}

  get started(): boolean {
    return this.opened;
  }

  start(headers: Record<string, string>): void {
    this.res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // Tells nginx-style proxies not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    this.res.flushHeaders();
    this.opened = true;
  }

  async send(data: unknown): Promise<void> {
    if (this.res.destroyed) return;
    if (this.res.write(`data: ${JSON.stringify(data)}\n\n`)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  done(): void {
    this.res.end('data: [DONE]\n\n');
  }

  /** After the stream started, an error is one more event (the SDKs raise it as an APIError) and the end. */
  fail(body: unknown): void {
    if (this.res.destroyed) return;
    this.res.end(`data: ${JSON.stringify(body)}\n\n`);
  }
}
