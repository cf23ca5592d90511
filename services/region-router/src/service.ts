import { defineService } from '@switchyard/service-kit';
import { systemClock } from '@switchyard/service-kit/clock';
import { getMeter } from '@switchyard/telemetry';
import { regionRouterConfigSchema } from './config';
import { Dispatcher, RegionRouter, Residency, type AttemptEvent, type RegionHealthState } from './routing';
import { regionRouterBinding } from './server';
import { streamDispatchFor } from './streaming';
import { OpenAIUpstream } from './upstream';
import { aroundUpstreamAttempt } from './upstream-span';

/** `switchyard.region.state` values agreed across the team; a half-open breaker is still "open" to a dashboard. */
const STATE_GAUGE: Record<RegionHealthState, number> = { healthy: 0, cooling: 1, open: 2, 'half-open': 2 };

/** The region-router service: picks a region per request and calls the upstream, with failover within the deadline. */
export const regionRouterService = defineService({
  name: 'region-router',
  schema: regionRouterConfigSchema,
  build: (config, logger) => {
    const router = new RegionRouter({
      regions: config.REGIONS,
      clock: systemClock,
      distances: config.REGION_DISTANCES,
      unknownDistance: config.REGION_UNKNOWN_DISTANCE,
      windowMs: config.REGION_LOAD_WINDOW_MS,
      bucketMs: config.REGION_LOAD_BUCKET_MS,
      preferThreshold: config.REGION_PREFER_THRESHOLD,
      saturationThreshold: config.REGION_SATURATION_THRESHOLD,
      health: {
        latencyEwmaAlpha: config.REGION_LATENCY_EWMA_ALPHA,
        defaultRetryAfterMs: config.REGION_DEFAULT_RETRY_AFTER_MS,
        maxCooldownMs: config.REGION_MAX_COOLDOWN_MS,
        breaker: {
          failureRatio: config.REGION_BREAKER_FAILURE_RATIO,
          minimumRequests: config.REGION_BREAKER_MIN_REQUESTS,
          windowRequests: config.REGION_BREAKER_WINDOW_REQUESTS,
          halfOpenAfterMs: config.REGION_BREAKER_HALF_OPEN_AFTER_MS,
          maxHalfOpenAfterMs: config.REGION_BREAKER_MAX_HALF_OPEN_AFTER_MS,
        },
      },
    });
    const residency = new Residency(config.TENANT_REGIONS);
    const upstream = new OpenAIUpstream({ regions: config.REGIONS, timeoutMs: config.UPSTREAM_TIMEOUT_MS });

    const meter = getMeter('region-router');
    const attempts = meter.createCounter('switchyard.upstream.attempts', { description: 'Upstream attempts by region and outcome' });
    const duration = meter.createHistogram('gen_ai.client.operation.duration', { description: 'Upstream call duration', unit: 's' });
    const tokens = meter.createHistogram('gen_ai.client.token.usage', { description: 'Tokens per upstream call', unit: '{token}' });
    meter.createObservableGauge('switchyard.region.load', { description: 'max(TPM share, RPM share) over the sliding window' }).addCallback((result) => {
      for (const region of router.status()) result.observe(region.load, { region: region.region });
    });
    meter.createObservableGauge('switchyard.region.state', { description: '0 healthy, 1 cooling down after 429, 2 breaker open or half-open' }).addCallback((result) => {
      for (const region of router.status()) result.observe(STATE_GAUGE[region.state], { region: region.region });
    });
    meter.createObservableGauge('switchyard.region.in_flight', { description: 'Upstream calls in flight per region' }).addCallback((result) => {
      for (const region of router.status()) result.observe(region.inFlight, { region: region.region });
    });

    const onAttempt = (event: AttemptEvent) => {
      const operation = event.kind === 'embedding' ? 'embeddings' : 'chat';
      attempts.add(1, { region: event.region, outcome: event.outcome });
      const attributes = {
        'gen_ai.operation.name': operation,
        'gen_ai.request.model': event.model,
        'switchyard.region': event.region,
        ...(event.outcome === 'ok' ? {} : { 'error.type': event.outcome }),
      };
      duration.record(event.durationMs / 1000, attributes);
      if (event.inputTokens !== undefined) tokens.record(event.inputTokens, { ...attributes, 'gen_ai.token.type': 'input' });
      if (event.outputTokens !== undefined && event.kind === 'completion') tokens.record(event.outputTokens, { ...attributes, 'gen_ai.token.type': 'output' });
      if (event.outcome !== 'ok') {
        logger.warn(
          { region: event.region, attempt: event.attempt, outcome: event.outcome, error: event.description, note: event.note || undefined },
          'upstream attempt failed',
        );
      } else if (event.note) {
        logger.info({ region: event.region, note: event.note }, 'region state changed');
      }
    };
    const dispatcherFor = (traceparents: readonly string[]) =>
      new Dispatcher({
        router,
        upstream,
        clock: systemClock,
        residency,
        defaultMaxTokensEstimate: config.DEFAULT_MAX_TOKENS_ESTIMATE,
        upstreamTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
        attemptDeadlineShare: config.REGION_ATTEMPT_DEADLINE_SHARE,
        onAttempt,
        aroundAttempt: aroundUpstreamAttempt(traceparents),
      });
    logger.info(
      {
        regions: config.REGIONS.map((r) => ({ name: r.name, baseUrl: r.baseUrl, provider: r.provider, models: r.deployments ? Object.keys(r.deployments) : 'all' })),
        residency: config.TENANT_REGIONS,
      },
      'regions configured',
    );
    const streamDispatch = streamDispatchFor(config, router, residency, onAttempt, logger);
    return { bindings: [regionRouterBinding(router, residency, dispatcherFor, logger, streamDispatch)] };
  },
});
