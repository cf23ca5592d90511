import { z } from 'zod';

/**
 * Configuration comes from environment variables, validated by one zod schema per service whose keys
 * ARE the variable names (so the schema doubles as the list of settings in the README). Defaults must
 * run on a laptop; a bad value stops start-up with a message naming the variable and what it accepts.
 */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration for ${service}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends z.ZodObject>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    // An empty variable is treated as unset, as shells and Kubernetes often export "".
    input[key] = value === '' ? undefined : value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '(root)');
    const inner = issue.path.slice(1).join('.');
    const got = inner ? undefined : input[key];
    return `${key}${inner ? ` at ${inner}` : ''}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
  });
  throw new ConfigError(service, problems);
}

/** A TCP port; 0 asks the OS for a free one (tests). */
export const envPort = (defaultPort: number) => z.coerce.number().int().min(0).max(65535).default(defaultPort);

export const envInt = (defaultValue: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(defaultValue);

export const envNumber = (defaultValue: number, min = -Infinity, max = Infinity) =>
  z.coerce.number().min(min).max(max).default(defaultValue);

/** `true`/`false`/`1`/`0` (z.coerce.boolean would read "false" as true). */
export const envBoolean = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

/** A JSON-valued variable validated by `schema`; invalid JSON is reported like any other bad value. */
export const envJson = <T extends z.ZodType>(schema: T, defaultValue: z.input<T>) =>
  z
    .string()
    .default(JSON.stringify(defaultValue))
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** `host:port` of another service. */
export const envAddress = (defaultValue: string) =>
  z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')
    .default(defaultValue);

/** Settings every gRPC service shares; spread into a service's schema with its own default port. */
export const grpcServerSettings = (defaultPort: number) => ({
  GRPC_HOST: z.string().min(1).default('127.0.0.1'),
  GRPC_PORT: envPort(defaultPort),
  /** Largest gRPC message accepted or sent, in bytes. */
  GRPC_MAX_MESSAGE_BYTES: envInt(4 * 1024 * 1024, 1024),
});
