import fs from 'node:fs';
import path from 'node:path';

export const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..');

export const GRPC_SERVICES = ['api-gateway', 'queue', 'cache', 'batcher', 'model-router', 'region-router'] as const;
export const ALL_SERVICES = [...GRPC_SERVICES, 'upstream-sim'] as const;
export type ServiceName = (typeof ALL_SERVICES)[number];

/** The export holding each service's zod config schema (keys are its environment variables). */
const SCHEMA_EXPORTS: Record<ServiceName, string> = {
  'api-gateway': 'gatewayConfigSchema',
  queue: 'queueConfigSchema',
  cache: 'cacheConfigSchema',
  batcher: 'batcherConfigSchema',
  'model-router': 'modelRouterConfigSchema',
  'region-router': 'regionRouterConfigSchema',
  'upstream-sim': 'simulatorConfigSchema',
};

interface ParseResult {
  success: boolean;
  data?: Record<string, unknown>;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}

export interface ConfigSchema {
  shape: Record<string, unknown>;
  safeParse(input: Record<string, string | undefined>): ParseResult;
}

/** A service's config schema, from its build output (the test target depends on every service's build). */
export function configSchema(service: ServiceName): ConfigSchema {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(path.join(WORKSPACE_ROOT, 'services', service, 'dist', 'config.js')) as Record<string, ConfigSchema>;
  const schema = module[SCHEMA_EXPORTS[service]];
  if (!schema?.shape) throw new Error(`services/${service}/dist/config.js exports no ${SCHEMA_EXPORTS[service]}; build the service first`);
  return schema;
}

/**
 * Parses `env` as the service's loadConfig does (only its own keys; "" counts as unset) and returns one
 * line per problem, naming the variable.
 */
export function configProblems(service: ServiceName, env: Record<string, string | undefined>): string[] {
  const schema = configSchema(service);
  const input = Object.fromEntries(Object.keys(schema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]));
  const result = schema.safeParse(input);
  return result.success ? [] : result.error!.issues.map((issue) => `${String(issue.path[0] ?? '')}${issue.path.length > 1 ? ` at ${issue.path.slice(1).join('.')}` : ''}: ${issue.message}`);
}

/** The port a service listens on by default (GRPC_PORT, or SIM_PORT for the simulator). */
export function defaultPort(service: ServiceName): number {
  const schema = configSchema(service);
  const parsed = schema.safeParse({});
  if (!parsed.success) throw new Error(`${service}: its defaults do not parse`);
  return Number(parsed.data![service === 'upstream-sim' ? 'SIM_PORT' : 'GRPC_PORT']);
}

export function packageVersion(service: ServiceName): string {
  return (JSON.parse(fs.readFileSync(path.join(WORKSPACE_ROOT, 'services', service, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Settings named in deploy/ that a service's schema does not have yet because the issue adding them is
 * still open. The spec fails once a schema gains one, so this list only ever shrinks.
 */
export const PENDING_SETTINGS: Partial<Record<ServiceName, string[]>> = {};

/** Variables every process may carry besides its schema's: read by service-kit, Node or the OpenTelemetry SDK. */
export function isRuntimeVariable(name: string): boolean {
  return name.startsWith('OTEL_') || ['LOG_LEVEL', 'NODE_OPTIONS', 'NODE_ENV'].includes(name);
}
