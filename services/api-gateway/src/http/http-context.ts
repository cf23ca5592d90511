import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@switchyard/service-kit';
import type { CallInfo, FrontDoor } from '../front-door/front-door';
import { readJsonBody } from './read-json-body';
import { readSwitchyardHeaders, type SwitchyardRequestHeaders } from './switchyard-headers';

export interface HttpApiSettings {
  maxBodyBytes: number;
  /** Upper bound of x-switchyard-timeout-ms. */
  maxDeadlineMs: number;
}

/** One HTTP request being served. */
export class HttpContext {
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly frontDoor: FrontDoor,
    readonly settings: HttpApiSettings,
    readonly logger: Logger,
    /** Aborts when the client goes away before the answer is complete. */
    readonly signal: AbortSignal,
    /** Trace headers every answer carries, error or not. */
    readonly traceHeaders: Record<string, string>,
    readonly traceId: string,
  ) {}

  get authorization(): string | undefined {
    return this.req.headers.authorization;
  }

  /**
   * The caller is authenticated first, so an unknown key learns nothing about its request; then Switchyard's
   * headers and the body are read.
   */
  async admitAndRead(): Promise<{ headers: SwitchyardRequestHeaders; body: unknown }> {
    this.frontDoor.authenticate(this.authorization);
    const headers = readSwitchyardHeaders(this.req.headers, this.settings.maxDeadlineMs);
    const body = await readJsonBody(this.req, this.settings.maxBodyBytes);
    return { headers, body };
  }

  call(deadline?: Date): CallInfo {
    return { authorization: this.authorization, deadline, signal: this.signal };
  }

  sendJson(status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    this.res.writeHead(status, {
      ...this.traceHeaders,
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
    });
    this.res.end(text);
  }
}
