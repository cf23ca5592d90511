import type { ServiceDefinition, UntypedHandleCall, UntypedServiceImplementation } from '@grpc/grpc-js';

/** Counts the calls a server is serving, so shutdown can wait for exactly those and nothing else. */
export class InFlightCalls {
  private count = 0;
  private waiters: Array<() => void> = [];

  get size(): number {
    return this.count;
  }

  /** Marks a call as started; the returned function marks it finished (extra calls are ignored). */
  start(): () => void {
    this.count += 1;
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      this.count -= 1;
      if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  /** Resolves as soon as no call is in flight. */
  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Wraps every handler of `implementation` so the call counts until it answers: a unary or
   * client-streaming call until it calls back, a response stream until it ends, fails or is cancelled.
   */
  track(definition: ServiceDefinition, implementation: UntypedServiceImplementation): UntypedServiceImplementation {
    const tracked: UntypedServiceImplementation = { ...implementation };
    for (const [name, method] of Object.entries(definition)) {
      const original = method.originalName;
      const handler = implementation[name] ?? (original === undefined ? undefined : implementation[original]);
      if (typeof handler !== 'function') continue;
      const fn = handler as (...args: unknown[]) => unknown;
      if (method.responseStream) {
        tracked[name] = ((call: NodeJS.EventEmitter) => {
          const done = this.start();
          for (const event of ['finish', 'error', 'cancelled']) call.once(event, done);
          return settleOnThrow(done, () => fn.call(implementation, call));
        }) as UntypedHandleCall;
      } else {
        tracked[name] = ((call: unknown, callback: (...args: unknown[]) => void) => {
          const done = this.start();
          return settleOnThrow(done, () =>
            fn.call(implementation, call, (...args: unknown[]) => {
              done();
              callback(...args);
            }),
          );
        }) as UntypedHandleCall;
      }
    }
    return tracked;
  }
}

// grpc-js answers UNKNOWN for a handler that throws synchronously; the call is over then too.
function settleOnThrow<T>(done: () => void, run: () => T): T {
  try {
    return run();
  } catch (err) {
    done();
    throw err;
  }
}
