import { ConfigError, announceReady, createLogger, exitOnSignals } from '@switchyard/service-kit';
import { loadSimulatorConfig, type SimulatorConfig } from './config';
import { startSimulator } from './http/start-simulator';

async function main(): Promise<void> {
  let config: SimulatorConfig;
  try {
    config = loadSimulatorConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger('upstream-sim');
  const sim = await startSimulator(config, { logger });
  logger.info(
    {
      region: config.SIM_REGION,
      models: config.SIM_MODELS,
      tpm_limit: config.SIM_TPM_LIMIT,
      rpm_limit: config.SIM_RPM_LIMIT,
      latency_ms: config.SIM_LATENCY_MS,
      latency_per_token_ms: config.SIM_LATENCY_PER_TOKEN_MS,
      error_rate: config.SIM_ERROR_RATE,
      auth: config.SIM_API_KEY !== undefined,
    },
    'upstream simulator configured',
  );
  announceReady(logger, { service: 'upstream-sim', address: sim.url, port: sim.port });
  exitOnSignals(logger, () => sim.close());
}

main().catch((err: unknown) => {
  console.error('upstream-sim failed to start:', err);
  process.exit(1);
});
