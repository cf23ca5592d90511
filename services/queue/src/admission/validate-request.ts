import { InvalidArgument } from '@switchyard/service-kit/errors';
import { DEFAULT_POOL, type AcquireRequest } from './admission-controller';
import { parsePriority, type Priority } from './priority';

/** Longest pool, tenant or request id accepted; these become map (and Redis) keys, so unbounded strings would leak memory. */
export const MAX_NAME_LENGTH = 256;

export interface ValidAcquire {
  readonly pool: string;
  readonly tenant: string;
  readonly priority: Priority;
  readonly requestId: string;
  readonly deadlineMs: number | undefined;
}

/** Checks an acquire request field by field; every admission controller applies the same rules. */
export function validateAcquire(request: AcquireRequest): ValidAcquire {
  const pool = checkPoolName(request.pool);
  const tenant = checkName(request.tenant, 'tenant', false);
  const priority = parsePriority(request.priority);
  const requestId = checkName(request.requestId, 'requestId', true);
  const { deadlineMs } = request;
  if (deadlineMs !== undefined && (typeof deadlineMs !== 'number' || !Number.isFinite(deadlineMs))) {
    throw new InvalidArgument('deadlineMs', `must be a finite epoch-milliseconds number, got ${String(deadlineMs)}`);
  }
  return { pool, tenant, priority, requestId, deadlineMs };
}

/** '' is the default pool. */
export function checkPoolName(pool: unknown): string {
  if (pool === '') return DEFAULT_POOL;
  return checkName(pool, 'pool', false);
}

export function checkLeaseId(leaseId: unknown): string {
  if (typeof leaseId !== 'string' || leaseId.length === 0) throw new InvalidArgument('leaseId', 'is required');
  if (leaseId.length > MAX_NAME_LENGTH) throw new InvalidArgument('leaseId', `must be at most ${MAX_NAME_LENGTH} characters`);
  return leaseId;
}

function checkName(value: unknown, field: string, allowEmpty: boolean): string {
  if (typeof value !== 'string') throw new InvalidArgument(field, 'must be a string');
  if (!allowEmpty && value.length === 0) throw new InvalidArgument(field, 'is required');
  if (value.length > MAX_NAME_LENGTH) throw new InvalidArgument(field, `must be at most ${MAX_NAME_LENGTH} characters`);
  return value;
}
