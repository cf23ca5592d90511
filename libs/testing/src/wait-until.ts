/** Polls `condition` every `intervalMs` until it holds or `timeoutMs` passes (then throws `message`). */
export async function waitUntil(condition: () => boolean | Promise<boolean>, message: string, timeoutMs = 5_000, intervalMs = 10): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
