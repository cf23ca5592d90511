import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RegionSimulator } from '../simulator';
import { handleFaults, handleReset, handleStats } from './admin-handler';
import { handleChatCompletions } from './chat-completions-handler';
import { requireApiKey } from './check-api-key';
import { handleEmbeddings } from './embeddings-handler';
import { handleGetModel, handleListModels } from './models-handler';
import { failureFor, internalFailure, invalidRequest, sendError, sendJson, type HttpFailure } from './openai-errors';
import { parseJsonObject, readBody } from './read-body';
import type { RequestContext, RequestLogger } from './request-context';
import { matchRoute, type Route } from './routes';

export interface RequestHandlerOptions {
  simulator: RegionSimulator;
  apiKey?: string;
  maxBodyBytes: number;
  /** Azure deployment name -> model it serves; a deployment not listed serves the model of its own name. */
  deployments?: Readonly<Record<string, string>>;
  /** Aborts when the simulator shuts down, releasing requests held open by an injected hang. */
  closing?: AbortSignal;
  logger: RequestLogger;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Routes a request, checks the key, runs the handler and logs one line per request (no prompt or answer text). */
export function createRequestHandler(options: RequestHandlerOptions): RequestHandler {
  const { simulator, logger } = options;
  let sequence = 0;

  return (req, res) => {
    const started = performance.now();
    const requestId = `req_sim_${simulator.region}_${++sequence}`;
    const url = requestUrl(req.url);
    const controller = new AbortController();
    const log: Record<string, unknown> = { request_id: requestId, method: req.method, path: url.pathname };
    res.on('close', () => {
      // Closed before the last byte was written: the client went away, so stop any work in progress.
      if (!res.writableFinished) controller.abort();
      const durationMs = Math.round(performance.now() - started);
      logger.debug({ ...log, status: res.statusCode, aborted: controller.signal.aborted, duration_ms: durationMs }, 'request');
    });

    const ctx: RequestContext = {
      req,
      res,
      url,
      simulator,
      signal: controller.signal,
      responseHeaders: { 'x-request-id': requestId, 'x-sim-region': simulator.region },
      log,
      deployments: options.deployments ?? {},
      closing: options.closing ?? new AbortController().signal,
      readJson: async () => parseJsonObject(await readBody(req, options.maxBodyBytes)),
    };

    dispatch(ctx, options).catch((err: unknown) => {
      if (controller.signal.aborted) return;
      const failure = failureFor(err);
      if (failure === undefined) logger.warn({ err, request_id: requestId }, 'request failed unexpectedly');
      answerFailure(ctx, failure ?? internalFailure());
    });
  };
}

/** The request target as a URL; a target that does not parse is treated as an unknown path, never a crash. */
function requestUrl(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return new URL('http://localhost/invalid-request-target');
  }
}

async function dispatch(ctx: RequestContext, options: RequestHandlerOptions): Promise<void> {
  const match = matchRoute(ctx.req.method ?? 'GET', ctx.url.pathname);
  if (!match.matched) {
    const where = `${ctx.req.method} ${ctx.url.pathname}`;
    if (match.reason === 'method-not-allowed') {
      const message = `Method not allowed: ${where}; use ${match.allow.join(' or ')}`;
      answerFailure(ctx, invalidRequest(405, message, 'method_not_allowed'), { allow: match.allow.join(', ') });
      return;
    }
    answerFailure(ctx, invalidRequest(404, `Unknown request URL: ${where}`, 'unknown_url'));
    return;
  }
  const { route } = match;
  ctx.log.route = route.kind;
  if (route.kind === 'health') {
    sendJson(ctx.res, 200, { status: 'ok', region: ctx.simulator.region });
    return;
  }
  requireApiKey(ctx.req.headers, options.apiKey);
  await runRoute(ctx, route);
}

async function runRoute(ctx: RequestContext, route: Route): Promise<void> {
  switch (route.kind) {
    case 'health':
      return;
    case 'list-models':
      return handleListModels(ctx);
    case 'get-model':
      return handleGetModel(ctx, route.id);
    case 'chat-completions':
      return handleChatCompletions(ctx, route.deployment);
    case 'embeddings':
      return handleEmbeddings(ctx, route.deployment);
    case 'admin-faults':
      return handleFaults(ctx);
    case 'admin-stats':
      return handleStats(ctx);
    case 'admin-reset':
      return handleReset(ctx);
  }
}

function answerFailure(ctx: RequestContext, failure: HttpFailure, headers: Record<string, string> = {}): void {
  ctx.log.outcome = 'rejected';
  if (failure.status === 401) ctx.simulator.recordRejected('unauthorized');
  else if (failure.status === 404) ctx.simulator.recordRejected('not-found');
  else if (failure.status < 500) ctx.simulator.recordRejected('bad-request');
  if (ctx.res.headersSent) {
    // Too late for a status code (a stream had started): cut the connection so the client sees a failure.
    ctx.res.destroy();
    return;
  }
  sendError(ctx.res, failure, { ...ctx.responseHeaders, ...headers });
}
