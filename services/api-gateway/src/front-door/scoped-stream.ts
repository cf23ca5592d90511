import { runInCallScope, type CallScope } from '@switchyard/service-kit';

/**
 * An async generator whose every step runs in `scope`. A generator's body runs in the context of whoever calls
 * next(), so without this its outgoing calls would not see the request's deadline and cancellation.
 */
export async function* scopedStream<T>(scope: CallScope, make: () => AsyncGenerator<T, void, undefined>): AsyncGenerator<T, void, undefined> {
  const inner = runInCallScope(scope, make);
  try {
    for (;;) {
      const step = await runInCallScope(scope, () => inner.next());
      if (step.done) return;
      yield step.value;
    }
  } finally {
    // A consumer that stops early closes the inner generator too, so its own cleanup (lease release) runs.
    await runInCallScope(scope, () => inner.return(undefined));
  }
}
