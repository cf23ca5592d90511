import { z } from 'zod';
import { RegionNameSchema } from './region-config';

/** Key of TENANT_REGIONS that applies to every tenant not listed by name. */
export const ANY_TENANT = '*';

/**
 * Data residency: tenant -> the only regions allowed to see its requests, e.g. `{"acme-eu": ["westeurope",
 * "northeurope"]}`. A tenant not listed falls back to the `"*"` entry, and without one may use every region.
 */
export const TenantRegionsSchema = z.record(
  z.string().min(1, 'tenant names must not be empty').max(128),
  z.array(RegionNameSchema).min(1, 'a tenant needs at least one allowed region'),
);

export type TenantRegions = z.output<typeof TenantRegionsSchema>;

/** Problems with a residency table against the configured regions, one message per unknown region. */
export function unknownResidencyRegions(table: TenantRegions, regionNames: readonly string[]): string[] {
  const known = new Set(regionNames);
  const problems: string[] = [];
  for (const [tenant, regions] of Object.entries(table)) {
    for (const region of regions) {
      if (!known.has(region)) problems.push(`tenant "${tenant}" names region "${region}", which is not in REGIONS (${regionNames.join(', ')})`);
    }
  }
  return problems;
}

/** Answers which regions may serve a tenant; `undefined` means no limit. */
export class Residency {
  private readonly table: ReadonlyMap<string, readonly string[]>;

  constructor(table: TenantRegions = {}) {
    this.table = new Map(Object.entries(table).map(([tenant, regions]) => [tenant, [...new Set(regions)].sort()]));
  }

  allowedFor(tenant: string): readonly string[] | undefined {
    return this.table.get(tenant) ?? this.table.get(ANY_TENANT);
  }

  /** Equal for tenants with the same allowed set, so their items may share one upstream call. */
  groupKey(tenant: string): string {
    return this.allowedFor(tenant)?.join(',') ?? ANY_TENANT;
  }
}
