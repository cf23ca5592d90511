import { InvalidArgument } from '@switchyard/service-kit/errors';

/** Lower number = more urgent. The proto's UNSPECIFIED (0) is mapped to NORMAL by the server before it gets here. */
export const Priority = {
  CRITICAL: 1,
  HIGH: 2,
  NORMAL: 3,
  LOW: 4,
  BULK: 5,
} as const;

export type Priority = (typeof Priority)[keyof typeof Priority];

export type PriorityName = keyof typeof Priority;

/** Most urgent first. */
export const PRIORITIES: readonly Priority[] = [1, 2, 3, 4, 5];

const NAMES: Record<Priority, PriorityName> = { 1: 'CRITICAL', 2: 'HIGH', 3: 'NORMAL', 4: 'LOW', 5: 'BULK' };

export function priorityName(priority: Priority): PriorityName {
  return NAMES[priority];
}

export function isPriority(value: unknown): value is Priority {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 5;
}

export function parsePriority(value: unknown, field = 'priority'): Priority {
  if (!isPriority(value)) {
    throw new InvalidArgument(field, `must be an integer from 1 (CRITICAL) to 5 (BULK), got ${String(value)}`);
  }
  return value;
}
