import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@switchyard/service-kit';
import { Cancelled } from '@switchyard/service-kit/errors';
import { activeTraceId, activeTraceparent, trace } from '@switchyard/telemetry';
import type { FrontDoor } from '../front-door/front-door';
import { handleChatCompletions } from './chat-completions-handler';
import { handleEmbeddings } from './embeddings-handler';
import { HttpContext, type HttpApiSettings } from './http-context';
import { handleGetModel, handleListModels } from './models-handler';
import { failureOf, HttpRefusal, internalFailure } from './openai-error';

export interface HttpApiOptions extends HttpApiSettings {
  host: string;
  /** 0 binds a free port. */
  port: number;
  frontDoor: FrontDoor;
  logger: Logger;
}

export interface RunningHttpApi {
  url: string;
  port: number;
  /** Stops accepting, lets requests in flight (streams included) finish within `graceMs`, then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

interface Route {
  /** The route as spans name it (`http.route`). */
  name: string;
  pattern: RegExp;
  methods: Record<string, (ctx: HttpContext, match: RegExpExecArray) => Promise<void>>;
}

const ROUTES: Route[] = [
  { name: '/v1/chat/completions', pattern: /^\/v1\/chat\/completions$/, methods: { POST: (ctx) => handleChatCompletions(ctx) } },
  { name: '/v1/embeddings', pattern: /^\/v1\/embeddings$/, methods: { POST: (ctx) => handleEmbeddings(ctx) } },
  { name: '/v1/models', pattern: /^\/v1\/models$/, methods: { GET: (ctx) => handleListModels(ctx) } },
  { name: '/v1/models/{model}', pattern: /^\/v1\/models\/([^/]+)$/, methods: { GET: (ctx, m) => handleGetModel(ctx, decodePathSegment(m[1]!)) } },
];

/**
 * The OpenAI-compatible HTTP API on node:http: the same front door as the gRPC API, so the same chain, limits
 * and traces (the HTTP server span is the request's root, and its trace id comes back in the headers).
 */
export async function startHttpApi(options: HttpApiOptions): Promise<RunningHttpApi> {
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const server = http.createServer((req, res) => {
    inFlight += 1;
    void serve(req, res, options).finally(() => {
      inFlight -= 1;
      if (inFlight === 0) idle?.();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${options.host}:${port}`,
    close: (graceMs = 10_000) =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        const drained = inFlight === 0 ? Promise.resolve() : new Promise<void>((wake) => (idle = wake));
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        void drained.then(() => {
          clearTimeout(timer);
          server.closeAllConnections();
        });
      })),
  };
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, options: HttpApiOptions): Promise<void> {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Cancelled('the client closed the connection'));
  });
  const traceId = activeTraceId();
  const traceHeaders: Record<string, string> = traceId
    ? { 'x-switchyard-trace-id': traceId, 'x-request-id': traceId, traceparent: activeTraceparent() }
    : {};
  const ctx = new HttpContext(req, res, options.frontDoor, options, options.logger, controller.signal, traceHeaders, traceId);
  try {
    const path = pathOf(req.url);
    if (path === '/healthz' && req.method === 'GET') {
      ctx.sendJson(200, { status: 'ok' });
      return;
    }
    const route = ROUTES.find((r) => r.pattern.test(path));
    if (!route) throw new HttpRefusal(404, `unknown URL (${req.method} ${path.slice(0, 200)}); this gateway serves /v1/chat/completions, /v1/embeddings and /v1/models`, 'unknown_url');
    const handler = route.methods[req.method ?? ''];
    const allowed = Object.keys(route.methods).join(', ');
    if (!handler) throw new HttpRefusal(405, `${req.method} is not allowed here; use ${allowed}`, 'method_not_allowed', { allow: allowed });
    const span = trace.getActiveSpan();
    span?.updateName(`${req.method} ${route.name}`);
    span?.setAttribute('http.route', route.name);
    await handler(ctx, route.pattern.exec(path)!);
  } catch (err) {
    const failure = failureOf(err);
    if (!failure) options.logger.error({ err, method: req.method }, 'HTTP request failed');
    else options.logger.debug({ status: failure.status, message: failure.body.error.message }, 'HTTP request refused');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const { status, body, headers } = failure ?? internalFailure();
    ctx.sendJson(status, body, headers);
  }
}

function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://gateway').pathname;
  } catch {
    throw new HttpRefusal(400, 'the request URL cannot be parsed', 'invalid_url');
  }
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpRefusal(400, 'the model id in the URL is not validly percent-encoded', 'invalid_url');
  }
}
