import type { Clock, Timers } from '@switchyard/service-kit/clock';
import {
  Cancelled,
  DeadlineExpired,
  FailedPrecondition,
  InvalidArgument,
  NotFound,
  Unavailable,
  isSwitchyardError,
  type SwitchyardError,
} from '@switchyard/service-kit/errors';
import type { AttemptEffects, AttemptOutcome, AttemptReport } from './attempt-report';
import type { AttemptRecord, ItemResult } from './dispatch-request';
import type { RegionRouter } from './region-router';
import { UpstreamError, type UpstreamCallOptions } from './upstream-client';

export type WorkKind = 'completion' | 'embedding';

/** Identifies one upstream attempt; `itemIndexes` point into the dispatch's items (for per-item trace links). */
export interface AttemptInfo {
  region: string;
  kind: WorkKind;
  model: string;
  /** 1 for the first region tried, 2 for the first failover, ... */
  attempt: number;
  itemIndexes: number[];
  /** Why the router chose this region. */
  reason: string;
  /** This attempt is the half-open probe of the region's breaker. */
  probe: boolean;
  /** The longest this attempt may take; undefined without a deadline or upstream timeout. */
  timeoutMs: number | undefined;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** How an attempt went, as the span around it and the metrics see it. */
export interface AttemptResult<T> {
  report: AttemptReport;
  effects: AttemptEffects;
  /** Set when the outcome is ok. */
  value?: T;
  usage?: Usage;
  /** The upstream's error, for outcomes other than ok. */
  error?: unknown;
}

export interface AttemptEvent extends AttemptInfo {
  outcome: AttemptOutcome;
  durationMs: number;
  httpStatus?: number;
  inputTokens?: number;
  outputTokens?: number;
  /** Short, credential-free description of a failure: "http 503", "no answer within 1500 ms". */
  description: string;
  /** What the router concluded (cool-down, breaker opened), or ''. */
  note: string;
}

/** Wraps one attempt, e.g. in a span; must return what `run` returns. */
export type AroundAttempt = <T>(info: AttemptInfo, run: () => Promise<AttemptResult<T>>) => Promise<AttemptResult<T>>;

export interface FailoverOptions {
  router: RegionRouter;
  clock: Clock;
  timers: Timers;
  /** Longest any single attempt may take, deadline or not. */
  upstreamTimeoutMs: number;
  /**
   * While another region could still take the request, one attempt may use at most this share of the time left
   * to the deadline, so a region that hangs leaves time to fail over. The last possible attempt gets all of it.
   */
  attemptDeadlineShare: number;
  onAttempt: (event: AttemptEvent) => void;
  aroundAttempt: AroundAttempt;
}

/** One unit of upstream work: a completion item, or the embedding items of one residency group. */
export interface FailoverWork<T> {
  kind: WorkKind;
  model: string;
  userRegion: string;
  deadlineMs: number | undefined;
  signal: AbortSignal | undefined;
  /** Data residency; undefined means every region. */
  allowedRegions: readonly string[] | undefined;
  itemIndexes: number[];
  estimatedTokens: number;
  call: (region: string, options: UpstreamCallOptions) => Promise<T>;
  usage: (value: T) => Usage;
}

type Stop = 'timeout' | 'deadline' | 'cancelled';

/**
 * Sends one unit of work upstream: picks the best allowed region, passes its breaker, calls it, and on 429,
 * 5xx, network failure or timeout tries the next best region while the deadline allows — each region once,
 * no attempt started after the deadline, and never a region outside the allowed set.
 */
export class Failover {
  constructor(private readonly options: FailoverOptions) {}

  async run<T>(work: FailoverWork<T>): Promise<ItemResult<T>> {
    const { router, clock } = this.options;
    const tried = new Set<string>();
    const records: AttemptRecord[] = [];
    const failures: string[] = [];
    let attempts = 0;
    const fail = (error: SwitchyardError): ItemResult<T> => ({ ok: false, error, attempts, tried: records });
    const choice = () => ({ exclude: tried, allowed: work.allowedRegions, model: work.model });

    for (;;) {
      if (work.signal?.aborted) return fail(new Cancelled('request cancelled by the caller'));
      if (work.deadlineMs !== undefined && clock.now() >= work.deadlineMs) {
        return fail(
          new DeadlineExpired(
            attempts === 0
              ? 'deadline passed before the request was sent upstream'
              : `deadline passed after ${attempts} upstream attempt(s): ${failures.join(', ')}`,
          ),
        );
      }

      let decision;
      try {
        decision = router.choose(work.userRegion, choice());
      } catch (err) {
        if (!isSwitchyardError(err)) throw err;
        if (attempts === 0) return fail(err);
        return fail(
          new Unavailable(
            `upstream failed in ${attempts} region(s) (${failures.join(', ')}) and no other allowed region can take it: ${err.message}`,
            this.retryAfterFor(tried, (err as { retryAfterMs?: number }).retryAfterMs),
          ),
        );
      }
      // Same synchronous step as the choice: no other request can slip in and take this region's probe.
      const ticket = router.begin(decision.region, work.estimatedTokens);
      tried.add(decision.region);
      if (!ticket) continue;
      attempts += 1;

      const { timeoutMs, stopAs } = this.budget(work, tried);
      const info: AttemptInfo = {
        region: decision.region,
        kind: work.kind,
        model: work.model,
        attempt: attempts,
        itemIndexes: work.itemIndexes,
        reason: decision.reason,
        probe: ticket.probe,
        timeoutMs,
      };
      let done: Promise<AttemptResult<T>> | undefined;
      const run = () =>
        (done ??= (async (): Promise<AttemptResult<T>> => {
          const ended = await this.attempt(work, info, timeoutMs, stopAs);
          const usage = ended.value !== undefined ? work.usage(ended.value) : undefined;
          const effects = await ticket.finish(ended.report, usage ? usage.inputTokens + usage.outputTokens : undefined);
          return { ...ended, usage, effects };
        })());
      let result: AttemptResult<T>;
      try {
        result = await this.options.aroundAttempt(info, run);
      } catch {
        // The wrapper (telemetry) failed: the attempt still runs, once, and its ticket is always finished,
        // so a probe can never leave the breaker half-open for good.
        result = await run();
      }
      const { report, effects } = result;
      records.push({ region: info.region, outcome: report.outcome, httpStatus: report.httpStatus, durationMs: report.durationMs, note: effects.note });
      this.emit({ ...info, ...report, ...result.usage, note: effects.note });

      switch (report.outcome) {
        case 'ok':
          return { ok: true, value: result.value as T, region: info.region, attempts, reason: decision.reason, tried: records };
        case 'deadline':
          return fail(new DeadlineExpired(`deadline passed while waiting for region ${info.region} (attempt ${attempts})`));
        case 'cancelled':
          return fail(new Cancelled('request cancelled by the caller'));
        case 'rejected':
          return fail(this.rejection(result.error, work, info.region));
        default:
          failures.push(`${info.region}: ${report.description}${effects.note ? `, ${effects.note}` : ''}`);
      }
    }
  }

  /**
   * The attempt's time limit: never past the deadline; while another region could still take over, only a
   * share of the time left, so that a hanging region leaves room for the failover.
   */
  private budget<T>(work: FailoverWork<T>, tried: ReadonlySet<string>): { timeoutMs: number | undefined; stopAs: Stop } {
    const { router, clock, upstreamTimeoutMs, attemptDeadlineShare } = this.options;
    const remaining = work.deadlineMs === undefined ? Infinity : Math.max(1, work.deadlineMs - clock.now());
    const canFailOver = router.hasAlternative(work.userRegion, { exclude: tried, allowed: work.allowedRegions, model: work.model });
    const ownShare = canFailOver ? Math.max(1, Math.floor(remaining * attemptDeadlineShare)) : remaining;
    const timeoutMs = Math.min(upstreamTimeoutMs, ownShare);
    return { timeoutMs: Number.isFinite(timeoutMs) ? timeoutMs : undefined, stopAs: timeoutMs < remaining ? 'timeout' : 'deadline' };
  }

  /** Runs one upstream call, cut short (and aborted) at its time limit or when the caller cancels. Never rejects. */
  private async attempt<T>(
    work: FailoverWork<T>,
    info: AttemptInfo,
    timeoutMs: number | undefined,
    stopAs: Stop,
  ): Promise<{ report: AttemptReport; value?: T; error?: unknown }> {
    const { clock, timers } = this.options;
    const controller = new AbortController();
    let stop: Stop | undefined;
    let timer: unknown;
    let onCallerAbort: (() => void) | undefined;
    const started = clock.now();
    const stopped = new Promise<never>((_, reject) => {
      const halt = (why: Stop) => {
        stop ??= why;
        controller.abort();
        reject(new Error(why));
      };
      if (timeoutMs !== undefined) timer = timers.setTimeout(() => halt(stopAs), timeoutMs);
      if (work.signal) {
        onCallerAbort = () => halt('cancelled');
        work.signal.addEventListener('abort', onCallerAbort, { once: true });
      }
    });
    // The losing side of the race must not surface as an unhandled rejection.
    stopped.catch(() => undefined);

    try {
      const value = await Promise.race([work.call(info.region, { signal: controller.signal, timeoutMs }), stopped]);
      return { value, report: { outcome: 'ok', durationMs: clock.now() - started, rateLimit: rateLimitOf(value), description: 'ok' } };
    } catch (error) {
      const durationMs = clock.now() - started;
      if (stop === undefined && work.deadlineMs !== undefined && clock.now() >= work.deadlineMs) stop = 'deadline';
      if (stop === 'timeout') return { error, report: { outcome: 'timeout', durationMs, description: `no answer within ${timeoutMs} ms` } };
      if (stop === 'deadline') return { error, report: { outcome: 'deadline', durationMs, description: 'request deadline passed' } };
      if (stop === 'cancelled') return { error, report: { outcome: 'cancelled', durationMs, description: 'cancelled by the caller' } };
      return { error, report: { ...classify(error), durationMs } };
    } finally {
      if (timer !== undefined) timers.clearTimeout(timer);
      if (onCallerAbort) work.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  private rejection(error: unknown, work: { kind: WorkKind; model: string }, region: string): SwitchyardError {
    if (isSwitchyardError(error)) return error;
    const upstream = error instanceof UpstreamError ? error : undefined;
    const status = upstream?.status ?? 0;
    const message = upstream?.message ?? 'upstream refused the request';
    if (status === 400 || status === 413 || status === 422) {
      return new InvalidArgument(work.kind === 'completion' ? 'messages' : 'inputs', message);
    }
    if (status === 401 || status === 403) {
      return new FailedPrecondition(`upstream in region ${region} rejected our credentials (HTTP ${status}); check that region's API key`);
    }
    if (status === 404) return new NotFound(`model "${work.model}" not found in region ${region}`);
    return new FailedPrecondition(`upstream in region ${region} refused the request (HTTP ${status}): ${message}`);
  }

  /** The earliest cool-down among the regions tried, else the router's own estimate. */
  private retryAfterFor(tried: ReadonlySet<string>, fallback: number | undefined): number | undefined {
    const cooldowns = [...tried].map((region) => this.options.router.cooldownMsLeft(region)).filter((ms) => ms > 0);
    return cooldowns.length > 0 ? Math.ceil(Math.min(...cooldowns)) : fallback;
  }

  private emit(event: AttemptEvent): void {
    try {
      this.options.onAttempt(event);
    } catch {
      // Telemetry must never fail a request.
    }
  }
}

/** An upstream failure as an outcome: only typed UpstreamErrors are trusted; anything else counts as network. */
function classify(error: unknown): Omit<AttemptReport, 'durationMs'> {
  if (error instanceof UpstreamError) {
    const { status } = error;
    if (status === 429) {
      return { outcome: 'throttled', httpStatus: 429, retryAfterMs: error.retryAfterMs, rateLimit: error.rateLimit, description: 'http 429' };
    }
    if (status === undefined) return { outcome: error.timedOut ? 'timeout' : 'network', description: error.timedOut ? error.message : 'network' };
    if (status >= 500 || status === 408) return { outcome: 'server_error', httpStatus: status, description: `http ${status}` };
    return { outcome: 'rejected', httpStatus: status, description: `http ${status}` };
  }
  if (isSwitchyardError(error)) return { outcome: 'rejected', description: error.kind };
  return { outcome: 'network', description: 'network' };
}

function rateLimitOf(value: unknown): AttemptReport['rateLimit'] {
  return typeof value === 'object' && value !== null && 'rateLimit' in value ? (value as { rateLimit?: AttemptReport['rateLimit'] }).rateLimit : undefined;
}
