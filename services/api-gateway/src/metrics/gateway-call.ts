import { isSwitchyardError } from '@switchyard/service-kit/errors';

/**
 * What switchyard.gateway.duration and switchyard.gateway.overhead say about one call, worked out without
 * OpenTelemetry: the transports time a call, the front door fills in the cache and upstream parts, and
 * `measureGatewayCall` turns that into the two values and their attributes. Every attribute has a short, fixed set
 * of values (docs/operations.md#metrics); tenants, models and prompt text are never attributes.
 */
export type GatewayOperation = 'complete' | 'embed' | 'stream_complete';
export type GatewayTransport = 'grpc' | 'http';

/**
 * `exact` / `semantic`: the cache answered. `miss`: looked up, not found (a cache outage counts as a miss, as in
 * the pipeline). `bypass`: the caller asked not to look up. `none`: no cache step: embeddings, and requests that
 * failed before reaching the cache.
 */
export type CacheLabel = 'exact' | 'semantic' | 'miss' | 'bypass' | 'none';

/**
 * `ok`, or the gRPC status code the caller got, in lower case (`invalid_argument`, `resource_exhausted`, ...).
 * HTTP callers get the same names for the same errors, whatever HTTP status carries them.
 */
export type GatewayOutcome = string;

export interface GatewayCallAttributes {
  operation: GatewayOperation;
  transport: GatewayTransport;
  outcome: GatewayOutcome;
  cache: CacheLabel;
  [key: string]: string;
}

export interface GatewayMeasurement {
  durationMs: number;
  overheadMs: number;
  attributes: GatewayCallAttributes;
}

/**
 * One call being served, from the moment its transport received it. Mutable on purpose: the transport knows the
 * operation (an HTTP chat request turns into a stream once its body is read), the front door learns about the
 * cache and the upstream as the request travels, and errors that a transport answers itself (an SSE error event)
 * are noted with `failed`.
 */
export class ObservedCall {
  readonly startedAt: number;
  cacheBypassed = false;
  /** What the cache said, once the route is known. */
  cacheAnswer?: 'exact' | 'semantic' | 'miss';
  /** Set once an upstream dispatch (batcher Execute, region-router StreamDispatch) was made. */
  dispatched = false;
  /** Time counted as upstream (see timeDispatch and timeStream). */
  upstreamMs = 0;
  /** An error the transport answered without throwing it; it decides the outcome. */
  failure?: { error: unknown };

  constructor(
    public operation: GatewayOperation,
    readonly transport: GatewayTransport,
    /** A monotonic clock in milliseconds. */
    readonly now: () => number,
  ) {
    this.startedAt = now();
  }

  failed(error: unknown): void {
    this.failure = { error };
  }

  /**
   * Times one unary dispatch. Upstream time is what the dispatch reports the providers took (`reportedMs`, e.g. the
   * region router's attempt durations) when it succeeds and reports it, otherwise the whole time spent awaiting it.
   * A report never counts for more than the wait it happened in.
   */
  async timeDispatch<T>(dispatch: () => Promise<T>, reportedMs: (response: T) => number | undefined): Promise<T> {
    this.dispatched = true;
    const started = this.now();
    let reported: number | undefined;
    try {
      const response = await dispatch();
      reported = reportedMs(response);
      return response;
    } finally {
      const awaited = this.now() - started;
      this.upstreamMs += reported === undefined ? awaited : Math.min(reported, awaited);
    }
  }

  /**
   * Times an upstream stream from the moment it is opened until it ends, fails or is abandoned: streamed events
   * carry no provider timings, so the stream's whole life is upstream time, including the gaps in which this
   * gateway was forwarding a delta (the upstream keeps generating meanwhile).
   */
  timeStream<T>(open: () => AsyncIterable<T>): AsyncIterable<T> {
    this.dispatched = true;
    const started = this.now();
    const source = open();
    const addLife = () => (this.upstreamMs += this.now() - started);
    return (async function* timed() {
      try {
        yield* source;
      } finally {
        addLife();
      }
    })();
  }
}

/** The cache attribute of a call, from what it learned (see CacheLabel). */
export function cacheLabelOf(call: Pick<ObservedCall, 'operation' | 'cacheBypassed' | 'cacheAnswer' | 'dispatched'>): CacheLabel {
  if (call.operation === 'embed') return 'none';
  if (call.cacheAnswer === 'exact' || call.cacheAnswer === 'semantic') return call.cacheAnswer;
  // A failed completion has no route to read, but one that reached an upstream got past the cache without an answer.
  if (call.cacheAnswer === 'miss' || call.dispatched) return call.cacheBypassed ? 'bypass' : 'miss';
  return 'none';
}

/**
 * Duration and overhead of a call answered at `endedAt` (same clock as the call's). Overhead is the duration minus
 * the upstream time, never below 0 nor above the duration; with no upstream (cache hits, refusals) it is the
 * duration.
 */
export function measureGatewayCall(call: ObservedCall, endedAt: number, outcome: GatewayOutcome): GatewayMeasurement {
  const durationMs = Math.max(0, endedAt - call.startedAt);
  const upstreamMs = Math.min(Math.max(0, call.upstreamMs), durationMs);
  return {
    durationMs,
    overheadMs: durationMs - upstreamMs,
    attributes: { operation: call.operation, transport: call.transport, outcome, cache: cacheLabelOf(call) },
  };
}

/**
 * The outcome of a Switchyard error: its kind is named like the gRPC code it maps to (`resource-exhausted` ->
 * `resource_exhausted`). Anything else is a bug the caller sees as `internal`.
 */
export function outcomeOfError(err: unknown): GatewayOutcome {
  return isSwitchyardError(err) ? err.kind.replace(/-/g, '_') : 'internal';
}
