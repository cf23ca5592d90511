import { Cancelled, DeadlineExpired } from './errors';

/**
 * How close to its deadline a cancelled call counts as expired. A caller's own deadline timer fires at the deadline
 * and cancels the call; we see that cancellation before our copy of the deadline (taken from the grpc-timeout header
 * on arrival, so later by the transit time) has passed. Misjudging a deliberate cancel this close to the deadline
 * only changes a status nobody is waiting for.
 */
export const DEADLINE_CANCEL_SLACK_MS = 50;

/** Why a served call was cancelled: its deadline passed (or was about to), or the caller gave up. */
export function cancellationReason(method: string, deadline: Date | undefined, now = Date.now()): Cancelled | DeadlineExpired {
  const expired = deadline !== undefined && now >= deadline.getTime() - DEADLINE_CANCEL_SLACK_MS;
  return expired ? new DeadlineExpired(`deadline passed while serving ${method}`) : new Cancelled(`caller cancelled ${method}`);
}
