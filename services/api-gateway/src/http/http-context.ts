import type { IncomingMessage, ServerResponse } from 'node:http';
import { answeredError, type Logger } from '@switchyard/service-kit';
import type { CallInfo, FrontDoor } from '../front-door/front-door';
import { outcomeOfError, type GatewayOperation, type GatewayOutcome, type ObservedCall } from '../metrics/gateway-call';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { HttpRefusal } from './openai-error';
import { readJsonBody } from './read-json-body';
import { readSwitchyardHeaders, type SwitchyardRequestHeaders } from './switchyard-headers';

export interface HttpApiSettings {
  maxBodyBytes: number;
  /** Upper bound of x-switchyard-timeout-ms. */
  maxDeadlineMs: number;
  metrics: GatewayMetrics;
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

  /** `observed` is given for the calls the gateway metrics time (completions and embeddings, not model lists). */
  call(deadline?: Date, observed?: ObservedCall): CallInfo {
    return { authorization: this.authorization, deadline, signal: this.signal, observed };
  }

  /** Times this request for the gateway metrics, from the handler's start to its last byte written, errors included. */
  measured(operation: GatewayOperation, run: (observed: ObservedCall) => Promise<void>): Promise<void> {
    return this.settings.metrics.measure(operation, 'http', (err) => this.outcomeOf(err), run);
  }

  /** The same names as over gRPC: an HTTP-only refusal (unreadable body) is the caller's invalid argument. */
  private outcomeOf(err: unknown): GatewayOutcome {
    if (err instanceof HttpRefusal) return 'invalid_argument';
    // As over gRPC, whatever breaks once the client went away is that cancellation.
    return outcomeOfError(answeredError(err, this.signal));
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
