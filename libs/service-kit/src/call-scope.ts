import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What an incoming call hands to the outgoing calls made while serving it: its deadline and a signal
 * that fires when the caller goes away. Clients read it, so deadlines and cancellation propagate along
 * the chain without every handler threading them through by hand.
 */
export interface CallScope {
  deadline?: Date;
  signal: AbortSignal;
}

const storage = new AsyncLocalStorage<CallScope>();

export function runInCallScope<T>(scope: CallScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentCallScope(): CallScope | undefined {
  return storage.getStore();
}
