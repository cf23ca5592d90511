/**
 * Calls `onExpire` once the wall clock has passed `deadline`. Timers may fire a millisecond before
 * Date.now() reaches the deadline, and handlers tell DEADLINE_EXCEEDED from CANCELLED by the wall
 * clock, so an early wake-up re-arms for the remainder instead of expiring.
 */
export function armDeadline(deadline: Date, onExpire: () => void): { clear(): void } {
  let timer: NodeJS.Timeout;
  const check = () => {
    const left = deadline.getTime() - Date.now();
    if (left > 0) timer = setTimeout(check, left);
    else onExpire();
  };
  timer = setTimeout(check, Math.max(0, deadline.getTime() - Date.now()));
  return { clear: () => clearTimeout(timer) };
}
