import { z } from 'zod';

/** Region names as they appear in REGIONS, TENANT_REGIONS and routes. */
export const RegionNameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lowercase region name like "eastus"');

const ModelNameSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'expected a model name of letters, digits and . _ : -');
const DeploymentNameSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected an Azure deployment name of letters, digits and . _ -');

/**
 * One upstream deployment the router may send traffic to. `apiKeyEnv` names the environment variable that
 * holds the key, so the key itself never appears in config, logs or error messages.
 */
export const RegionConfigSchema = z
  .object({
    name: RegionNameSchema,
    baseUrl: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }),
    provider: z.enum(['openai', 'azure']).default('openai'),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the NAME of an environment variable, not the key')
      .optional(),
    apiVersion: z.string().min(1).optional(),
    capacityTpm: z.number().int().positive(),
    capacityRpm: z.number().int().positive().optional(),
    /**
     * Model -> name the upstream knows it by (Azure: the deployment name). When given, the region serves only
     * these models; when absent it is asked for every model under the model's own name.
     */
    deployments: z.record(ModelNameSchema, DeploymentNameSchema).optional(),
  })
  .strict()
  .superRefine((region, ctx) => {
    if (region.provider === 'azure' && region.apiVersion === undefined) {
      ctx.addIssue({ code: 'custom', path: ['apiVersion'], message: 'required when provider is "azure"' });
    }
  });

export type RegionConfig = z.output<typeof RegionConfigSchema>;

export const RegionsSchema = z
  .array(RegionConfigSchema)
  .min(1, 'at least one region is required')
  .superRefine((regions, ctx) => {
    const seen = new Set<string>();
    regions.forEach((region, index) => {
      if (seen.has(region.name)) {
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate region name "${region.name}"` });
      }
      seen.add(region.name);
    });
  });

/** The seed's four regions and capacities; `baseUrlFor` points each at its endpoint (the simulator by default). */
export function defaultRegions(baseUrlFor: (name: string) => string): RegionConfig[] {
  const seed: Array<[string, number]> = [
    ['eastus', 80_000],
    ['westus', 80_000],
    ['westeurope', 60_000],
    ['eastasia', 40_000],
  ];
  return seed.map(([name, capacityTpm]) => ({ name, baseUrl: baseUrlFor(name), provider: 'openai', capacityTpm }));
}

/** `http://127.0.0.1:<port>/v1` for each region, e.g. the upstream simulator's per-region ports. */
export function localBaseUrls(ports: Readonly<Record<string, number>>): (name: string) => string {
  return (name) => {
    const port = ports[name];
    if (port === undefined) throw new Error(`no local port configured for region "${name}"`);
    return `http://127.0.0.1:${port}/v1`;
  };
}

/** Whether `region` may be asked for `model` at all (its deployment list, when it has one, names the model). */
export function servesModel(region: RegionConfig, model: string): boolean {
  return region.deployments === undefined || Object.hasOwn(region.deployments, model);
}

/** The name sent upstream for `model`: the Azure deployment name when configured, else the model itself. */
export function upstreamModelName(region: RegionConfig, model: string): string {
  return region.deployments !== undefined && Object.hasOwn(region.deployments, model) ? region.deployments[model]! : model;
}
