import { gatewayV1, type modelRouterV1 } from '@switchyard/contracts';
import { runInCallScope, type CallScope } from '@switchyard/service-kit';
import { trace } from '@switchyard/telemetry';
import type { ApiKeyAuthenticator } from '../auth/api-keys';
import { estimateTokens, type Admission, type QuotaSnapshot, type TenantRateLimiter } from '../limits';
import type { ObservedCall } from '../metrics/gateway-call';
import { completeRequest, type CompleteResult } from '../pipeline/complete';
import { embedRequest, type EmbedResult } from '../pipeline/embed';
import type { IntervalTimers } from '../pipeline/lease';
import type { GatewayPorts, PipelineObserver } from '../pipeline/ports';
import { streamCompleteRequest, type CompletionStreamEvent } from '../pipeline/stream-complete';
import { validateComplete, validateEmbed, type CompleteInput, type EmbedInput, type RequestLimits } from '../validation/validate-request';
import type { ModelCatalog } from './model-catalog';
import { observedPorts } from './observed-ports';
import { scopedStream } from './scoped-stream';

/** What a transport knows about the call it is serving. */
export interface CallInfo {
  /** The `authorization` header or metadata, as sent. */
  authorization: string | undefined;
  /** The caller's deadline; GATEWAY_DEFAULT_DEADLINE_MS from now when it set none. */
  deadline?: Date;
  /** Aborts when the caller goes away. */
  signal: AbortSignal;
  /** The call as the gateway's metrics see it: the front door adds what it learns of the cache and the upstream. */
  observed?: ObservedCall;
}

export interface Served<T> {
  tenant: string;
  quota: QuotaSnapshot;
  result: T;
}

/** The stream's first event says who was let in and how much quota is left, before any route is known. */
export type FrontDoorStreamEvent = { type: 'admitted'; tenant: string; quota: QuotaSnapshot } | CompletionStreamEvent;

export interface FrontDoorOptions {
  auth: ApiKeyAuthenticator;
  limiter: TenantRateLimiter;
  ports: GatewayPorts;
  catalog: ModelCatalog;
  observer: PipelineObserver;
  limits: RequestLimits;
  defaultDeadlineMs: number;
  defaultEmbeddingModel: string;
  timers?: IntervalTimers;
}

/**
 * The one way into the request path, shared by the gRPC and the HTTP API: authenticate (API key -> tenant),
 * validate, admit under the tenant's fleet-wide limits, then run the pipeline inside the call's deadline and
 * cancellation. Transports only translate; they never reach the pipeline another way.
 */
export class FrontDoor {
  constructor(private readonly options: FrontDoorOptions) {}

  async complete(call: CallInfo, request: CompleteInput): Promise<Served<CompleteResult>> {
    const tenant = this.authenticate(call.authorization);
    const input = validateComplete(request, this.options.limits);
    if (call.observed) call.observed.cacheBypassed = input.cacheBypass;
    const admission = await this.admit(tenant, estimateTokens(input.messages.map((m) => m.content)));
    const result = await this.settled(admission, () =>
      this.inScope(call, () => completeRequest(tenant, input, this.portsFor(call), this.options.observer, this.options.timers)),
      (done) => (done.route.cache === gatewayV1.CacheStatus.CACHE_STATUS_MISS ? done.usage.inputTokens + done.usage.outputTokens : 0),
    );
    annotate(result.route, call.observed);
    return { tenant, quota: admission.quota, result };
  }

  /**
   * Nothing happens until the first `next()`: it authenticates, validates and admits (throwing as complete()
   * does), then yields `admitted`. Stop iterating to abandon the stream; the lease is released either way.
   */
  streamComplete(call: CallInfo, request: CompleteInput): AsyncGenerator<FrontDoorStreamEvent, void, undefined> {
    return scopedStream(this.scopeOf(call), () => this.streamEvents(call, request));
  }

  async embed(call: CallInfo, request: EmbedInput): Promise<Served<EmbedResult>> {
    const tenant = this.authenticate(call.authorization);
    const input = validateEmbed({ ...request, model: request.model || this.options.defaultEmbeddingModel }, this.options.limits);
    const admission = await this.admit(tenant, estimateTokens(input.inputs));
    const result = await this.settled(admission, () =>
      this.inScope(call, async () => {
        await this.options.catalog.requireEmbeddingModel(input.model);
        return embedRequest(tenant, input, this.portsFor(call), this.options.observer, this.options.timers);
      }),
      (done) => done.usage.inputTokens,
    );
    annotate(result.route, call.observed);
    return { tenant, quota: admission.quota, result };
  }

  async listModels(call: CallInfo): Promise<modelRouterV1.ModelInfo[]> {
    this.authenticate(call.authorization);
    return this.inScope(call, () => this.options.catalog.list());
  }

  private async *streamEvents(call: CallInfo, request: CompleteInput): AsyncGenerator<FrontDoorStreamEvent, void, undefined> {
    const tenant = this.authenticate(call.authorization);
    const input = validateComplete(request, this.options.limits);
    if (call.observed) call.observed.cacheBypassed = input.cacheBypass;
    const admission = await this.admit(tenant, estimateTokens(input.messages.map((m) => m.content)));
    yield { type: 'admitted', tenant, quota: admission.quota };
    let cached = false;
    let used = 0;
    try {
      for await (const event of streamCompleteRequest(tenant, input, this.portsFor(call), this.options.observer, this.options.timers)) {
        if (event.type === 'started') {
          annotate(event.route, call.observed);
          cached = event.route.cache !== gatewayV1.CacheStatus.CACHE_STATUS_MISS;
        }
        if (event.type === 'finished' && !cached) used = event.usage.inputTokens + event.usage.outputTokens;
        yield event;
      }
    } finally {
      void admission.settle(used);
    }
  }

  /** The tenant of an `authorization` value; throws Unauthenticated. */
  authenticate(authorization: string | undefined): string {
    const tenant = this.options.auth.tenantFor(authorization);
    trace.getActiveSpan()?.setAttribute('switchyard.tenant', tenant);
    return tenant;
  }

  private admit(tenant: string, estimatedTokens: number): Promise<Admission> {
    return this.options.limiter.admit(tenant, estimatedTokens);
  }

  /** Corrects the tenant's token count to what the request used: nothing when it failed or the cache answered. */
  private async settled<T>(admission: Admission, run: () => Promise<T>, tokensOf: (result: T) => number): Promise<T> {
    let used = 0;
    try {
      const result = await run();
      used = tokensOf(result);
      return result;
    } finally {
      void admission.settle(used);
    }
  }

  private portsFor(call: CallInfo): GatewayPorts {
    return call.observed ? observedPorts(this.options.ports, call.observed) : this.options.ports;
  }

  private inScope<T>(call: CallInfo, fn: () => Promise<T>): Promise<T> {
    return runInCallScope(this.scopeOf(call), fn);
  }

  // A caller without a deadline still gets one, so no request can wait in the queue forever.
  private scopeOf(call: CallInfo): CallScope {
    return { deadline: call.deadline ?? new Date(Date.now() + this.options.defaultDeadlineMs), signal: call.signal };
  }
}

const CACHE_ANSWER: Partial<Record<gatewayV1.CacheStatus, ObservedCall['cacheAnswer']>> = {
  [gatewayV1.CacheStatus.CACHE_STATUS_MISS]: 'miss',
  [gatewayV1.CacheStatus.CACHE_STATUS_EXACT]: 'exact',
  [gatewayV1.CacheStatus.CACHE_STATUS_SEMANTIC]: 'semantic',
};

/** The route on the request's span, and what the cache said on the call's metrics. */
function annotate(route: gatewayV1.Route, observed: ObservedCall | undefined): void {
  trace.getActiveSpan()?.setAttributes({
    'switchyard.model': route.model,
    'switchyard.cache': gatewayV1.cacheStatusToJSON(route.cache),
    'switchyard.region': route.region,
  });
  if (observed) observed.cacheAnswer = CACHE_ANSWER[route.cache] ?? 'miss';
}
