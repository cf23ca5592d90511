import { Cancelled, DeadlineExpired, isSwitchyardError } from './errors';

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

/**
 * The error a failed call answers with: a handler that gave up because its signal aborted (an AbortError from fetch,
 * a timer, ...) is reporting the cancellation, not a bug, so its caller gets the signal's reason. Switchyard errors
 * stand as thrown.
 */
export function answeredError(err: unknown, signal: AbortSignal): unknown {
  return signal.aborted && !isSwitchyardError(err) ? (signal.reason as unknown) : err;
}
