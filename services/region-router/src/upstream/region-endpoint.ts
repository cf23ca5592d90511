import OpenAI, { AzureOpenAI } from 'openai';
import { ConfigError } from '@switchyard/service-kit';
import type { RegionConfig } from '../routing';
import { createNodeHttpFetch, type FetchLike } from './node-http-fetch';

/** One region's endpoint: its config, its SDK client and the key to redact from messages. */
export interface RegionEndpoint {
  config: RegionConfig;
  client: OpenAI;
  secret: string | undefined;
}

/** Sent when a region names no key variable: the local simulator accepts any bearer token. */
const NO_KEY = 'no-key-configured';

/** One fetch (one keep-alive pool per upstream origin) for every region's client in the process. */
let sharedFetch: FetchLike | undefined;

/** Added to the SDK's own timeout so the caller's time limit (signal) always fires first. */
export const SDK_TIMEOUT_SLACK_MS = 1_000;

/**
 * The SDK client of one region: `OpenAI` for OpenAI-compatible endpoints, `AzureOpenAI` for Azure (the model goes
 * as its deployment name in `/openai/deployments/{name}/...`). SDK retries are off because the router fails over
 * itself. Shared by the unary and the streaming upstream so both send exactly the same requests. Requests go
 * through node:http keep-alive agents rather than the global fetch (ADR 0040).
 */
export function createRegionEndpoint(region: RegionConfig, env: Record<string, string | undefined>, timeoutMs: number): RegionEndpoint {
  const secret = region.apiKeyEnv === undefined ? undefined : env[region.apiKeyEnv];
  if (region.apiKeyEnv !== undefined && !secret) {
    throw new ConfigError('region-router', [`REGIONS: region "${region.name}" reads its API key from ${region.apiKeyEnv}, which is not set`]);
  }
  // organization/project/logLevel are pinned so ambient OPENAI_* variables cannot change what we send or log.
  const fetch = (sharedFetch ??= createNodeHttpFetch());
  const common = { apiKey: secret ?? NO_KEY, maxRetries: 0, timeout: timeoutMs, organization: null, project: null, logLevel: 'off' as const, fetch };
  const client =
    region.provider === 'azure'
      ? // baseURL rather than `endpoint`, which the SDK refuses when OPENAI_BASE_URL happens to be set.
        new AzureOpenAI({ ...common, baseURL: `${region.baseUrl.replace(/\/+$/, '')}/openai`, apiVersion: region.apiVersion })
      : new OpenAI({ ...common, baseURL: region.baseUrl });
  return { config: region, client, secret };
}
