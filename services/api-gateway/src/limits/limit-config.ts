import { z } from 'zod';

/** Per-minute limits of one tenant; 0 (or absent) means no limit on that dimension. */
export interface TenantLimit {
  rpm: number;
  tpm: number;
}

const perMinute = z.number().int('must be a whole number').min(0, 'must be 0 (no limit) or more');

export const tenantLimitsSchema = z.record(
  z.string().min(1),
  z.strictObject({ rpm: perMinute.optional(), tpm: perMinute.optional() }),
);

export type TenantLimitsConfig = z.infer<typeof tenantLimitsSchema>;

/** The limit of each tenant: its own entry where one is configured, the defaults otherwise. */
export function tenantLimitLookup(configured: TenantLimitsConfig, defaults: TenantLimit): (tenant: string) => TenantLimit {
  return (tenant) => {
    const own = configured[tenant];
    return { rpm: own?.rpm ?? defaults.rpm, tpm: own?.tpm ?? defaults.tpm };
  };
}
