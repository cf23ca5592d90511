import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegionSimulator } from '../simulator';

/** What a handler needs about one request. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  simulator: RegionSimulator;
  /** Aborts when the client goes away before the answer is complete. */
  signal: AbortSignal;
  /** Headers every model answer carries (request id, region). */
  responseHeaders: Record<string, string>;
  /** Fields of the request's one debug log line; handlers add model and token counts, never text. */
  log: Record<string, unknown>;
  /** Azure deployment name -> model (SIM_DEPLOYMENTS). */
  deployments: Readonly<Record<string, string>>;
  /** Aborts when the simulator shuts down. */
  closing: AbortSignal;
  readJson(): Promise<Record<string, unknown>>;
}

export interface RequestLogger {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}
