import { runService } from '@switchyard/service-kit';
import { getMeter } from '@switchyard/telemetry';
import { regionRouterConfigSchema } from './config';
import { Dispatcher, RegionRouter, systemClock, type AttemptEvent } from './routing';
import { regionRouterBinding } from './server';
import { OpenAIUpstream } from './upstream';
import { aroundUpstreamAttempt } from './upstream-span';

runService('region-router', regionRouterConfigSchema, (config, logger) => {
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
      breakerFailures: config.REGION_BREAKER_FAILURES,
      breakerCooldownMs: config.REGION_BREAKER_COOLDOWN_MS,
    },
  });
  const upstream = new OpenAIUpstream({ regions: config.REGIONS, timeoutMs: config.UPSTREAM_TIMEOUT_MS });

  const meter = getMeter('region-router');
  const attempts = meter.createCounter('switchyard.upstream.attempts', { description: 'Upstream attempts by region and outcome' });
  const duration = meter.createHistogram('gen_ai.client.operation.duration', { description: 'Upstream call duration', unit: 's' });
  const tokens = meter.createHistogram('gen_ai.client.token.usage', { description: 'Tokens per upstream call', unit: '{token}' });
  meter.createObservableGauge('switchyard.region.load', { description: 'Tokens in the sliding window / capacity_tpm' }).addCallback((result) => {
    for (const region of router.stats()) result.observe(region.load, { region: region.region });
  });
  const onAttempt = (event: AttemptEvent) => {
    const attributes = { 'switchyard.region': event.region, 'gen_ai.request.model': event.model, outcome: event.status };
    attempts.add(1, attributes);
    duration.record(event.durationMs / 1000, attributes);
    if (event.inputTokens !== undefined) tokens.record(event.inputTokens, { ...attributes, 'gen_ai.token.type': 'input' });
    if (event.outputTokens !== undefined) tokens.record(event.outputTokens, { ...attributes, 'gen_ai.token.type': 'output' });
    if (event.status !== 'ok') logger.warn({ region: event.region, attempt: event.attempt, error: event.error }, 'upstream attempt failed');
  };
  const dispatcherFor = (traceparents: readonly string[]) =>
    new Dispatcher({
      router,
      upstream,
      clock: systemClock,
      defaultMaxTokensEstimate: config.DEFAULT_MAX_TOKENS_ESTIMATE,
      onAttempt,
      aroundAttempt: aroundUpstreamAttempt(traceparents),
    });
  logger.info({ regions: config.REGIONS.map((r) => ({ name: r.name, baseUrl: r.baseUrl, provider: r.provider })) }, 'regions configured');
  return { bindings: [regionRouterBinding(router, dispatcherFor, logger)] };
});
