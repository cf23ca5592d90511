import type { Clock } from '@switchyard/service-kit/clock';
import type { AttemptEffects, AttemptReport } from './attempt-report';
import { breakerVerdict } from './attempt-report';
import { RegionBreaker, type BreakerOptions, type BreakerPass, type BreakerState } from './region-breaker';
import { cooldownFromReport, reportedShare, shareAt, type RateLimitReport, type ReportedShare } from './rate-limit-report';

export interface RegionHealthOptions {
  /** Weight of the newest latency sample in the moving average. */
  latencyEwmaAlpha: number;
  /** Cool-down after a 429 that said nothing about when to come back. */
  defaultRetryAfterMs: number;
  /** Upper bound on any cool-down, so a bogus retry-after cannot take a region out for long. */
  maxCooldownMs: number;
  breaker: BreakerOptions;
}

/** The quota an upstream last reported, as received. */
export interface QuotaObservation extends RateLimitReport {
  at: number;
}

/**
 * Everything one region's upstream has told this router lately: throttling (cool-down), failures (breaker),
 * latency, quota headers, and what is in flight there now. Counters are lifetime totals for metrics.
 */
export class RegionState {
  requests = 0;
  errors = 0;
  throttled = 0;
  timeouts = 0;
  inFlight = 0;
  latencyEwmaMs: number | undefined;
  quota: QuotaObservation | undefined;
  readonly breaker: RegionBreaker;
  private cooldownUntil = 0;
  private cooldownReason = '';
  private tokenShare: ReportedShare | undefined;
  private requestShare: ReportedShare | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly options: RegionHealthOptions,
  ) {
    this.breaker = new RegionBreaker(clock, options.breaker);
  }

  cooldownMsLeft(): number {
    return Math.max(0, this.cooldownUntil - this.clock.now());
  }

  cooling(): { until: number; reason: string } | undefined {
    return this.cooldownMsLeft() > 0 ? { until: this.cooldownUntil, reason: this.cooldownReason } : undefined;
  }

  breakerState(): BreakerState {
    return this.breaker.state();
  }

  /** Usable now: out of cool-down and the breaker lets a call through (closed, or open and due for its probe). */
  available(): boolean {
    return this.cooldownMsLeft() <= 0 && this.breaker.canPass();
  }

  /** The upstream's own view of its token and request quotas in use (0 when it never said). */
  reportedTokenShare(): number {
    return shareAt(this.tokenShare, this.clock.now());
  }

  reportedRequestShare(): number {
    return shareAt(this.requestShare, this.clock.now());
  }

  /** Starts an attempt; undefined when the breaker refuses it. */
  begin(): BreakerPass | undefined {
    const pass = this.breaker.pass();
    if (!pass) return undefined;
    this.requests += 1;
    this.inFlight += 1;
    return pass;
  }

  /** Records how the attempt ended and returns what changed because of it. */
  async finish(pass: BreakerPass, report: AttemptReport): Promise<AttemptEffects> {
    this.inFlight -= 1;
    const now = this.clock.now();
    const notes: string[] = [];
    let cooldownMs: number | undefined;
    if (report.rateLimit && report.outcome === 'ok') this.observeQuota(report.rateLimit, now);
    switch (report.outcome) {
      case 'ok':
        this.sampleLatency(report.durationMs);
        break;
      case 'throttled': {
        this.throttled += 1;
        if (report.rateLimit) this.quota = { ...report.rateLimit, at: now };
        const fromHeaders = cooldownFromReport(report.rateLimit);
        const [wait, source] =
          report.retryAfterMs !== undefined
            ? [report.retryAfterMs, 'retry-after']
            : fromHeaders !== undefined
              ? [fromHeaders, 'x-ratelimit-reset']
              : [this.options.defaultRetryAfterMs, 'default, no retry-after'];
        cooldownMs = Math.min(Math.max(0, wait), this.options.maxCooldownMs);
        this.coolDown(now, cooldownMs, `429: cooling down ${cooldownMs} ms (${source})`);
        notes.push(`cooling down ${cooldownMs} ms (${source})`);
        break;
      }
      case 'server_error':
      case 'network':
        this.errors += 1;
        break;
      case 'timeout':
        this.timeouts += 1;
        // A timeout is a latency sample too: the region took at least this long.
        this.sampleLatency(report.durationMs);
        break;
      default:
        break;
    }
    const opensBefore = this.breaker.opens;
    const stateBefore = this.breaker.state();
    await pass.finish(breakerVerdict(report.outcome), report.description);
    const breakerOpened = this.breaker.opens > opensBefore;
    const breakerClosed = stateBefore !== 'closed' && this.breaker.state() === 'closed';
    if (breakerOpened) notes.push(`breaker opened: ${this.breaker.openReason}`);
    if (breakerClosed) notes.push('breaker closed after a successful probe');
    return { cooldownMs, breakerOpened, breakerClosed, note: notes.join('; ') };
  }

  private observeQuota(report: RateLimitReport, now: number): void {
    this.quota = { ...report, at: now };
    this.tokenShare = reportedShare(report.limitTokens, report.remainingTokens, report.resetTokensMs, now) ?? this.tokenShare;
    this.requestShare = reportedShare(report.limitRequests, report.remainingRequests, report.resetRequestsMs, now) ?? this.requestShare;
  }

  private sampleLatency(ms: number): void {
    const alpha = this.options.latencyEwmaAlpha;
    this.latencyEwmaMs = this.latencyEwmaMs === undefined ? ms : alpha * ms + (1 - alpha) * this.latencyEwmaMs;
  }

  private coolDown(now: number, ms: number, reason: string): void {
    if (now + ms >= this.cooldownUntil) {
      this.cooldownUntil = now + ms;
      this.cooldownReason = reason;
    }
  }
}
