import { envInt, envJson, envNumber, envPort, loadConfig } from '@switchyard/service-kit';
import { z } from 'zod';

export const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'o1-preview', 'text-embedding-3-small'];

const modelName = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'expected model names of letters, digits and . _ : -');

/** One schema, keys are the environment variables; every default runs on a laptop. */
export const simulatorConfigSchema = z.object({
  /** Name of the region this process plays; it appears in answers and the x-sim-region header. */
  SIM_REGION: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a region name of letters, digits and . _ -')
    .default('local'),
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_PORT: envPort(8400),
  /** Latency before the first output token (ms). */
  SIM_LATENCY_MS: envInt(20, 0, 600_000),
  /** Extra latency per output token (ms, may be fractional). */
  SIM_LATENCY_PER_TOKEN_MS: envNumber(0, 0, 10_000),
  SIM_TPM_LIMIT: envInt(1_000_000, 1),
  SIM_RPM_LIMIT: envInt(10_000, 1),
  /** Probability (0..1) that a model request answers SIM_ERROR_STATUS instead. */
  SIM_ERROR_RATE: envNumber(0, 0, 1),
  SIM_ERROR_STATUS: envInt(500, 400, 599),
  /** Seed of the PRNG that decides injected errors, so a test run is reproducible. */
  SIM_SEED: envInt(1, 0, 0xffff_ffff),
  /** When set, requests must carry `Authorization: Bearer <key>` or Azure's `api-key: <key>`. */
  SIM_API_KEY: z.string().min(1).optional(),
  SIM_MODELS: envJson(z.array(modelName).min(1, 'expected at least one model'), DEFAULT_MODELS),
  /** Azure deployment name -> model it serves, for deployments not named after their model. */
  SIM_DEPLOYMENTS: envJson(z.record(z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'expected deployment names of letters, digits and . _ -'), modelName), {}),
  SIM_MAX_BODY_BYTES: envInt(1024 * 1024, 1024, 64 * 1024 * 1024),
});

export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;

/** Reads the configuration from `env` (process.env by default); throws ConfigError naming each bad variable. */
export function loadSimulatorConfig(env: Record<string, string | undefined> = process.env): SimulatorConfig {
  return loadConfig('upstream-sim', simulatorConfigSchema, env);
}
