/** The result of one item of a batch: items succeed or fail on their own. */
export type ItemOutcome<Result> = { ok: true; value: Result } | { ok: false; error: Error };

export function succeeded<Result>(value: Result): ItemOutcome<Result> {
  return { ok: true, value };
}

export function failed<Result = never>(error: Error): ItemOutcome<Result> {
  return { ok: false, error };
}
