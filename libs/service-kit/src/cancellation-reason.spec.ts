import { answeredError, cancellationReason, DEADLINE_CANCEL_SLACK_MS } from './cancellation-reason';
import { Cancelled, DeadlineExpired } from './errors';

describe('cancellationReason', () => {
  const deadline = new Date(10_000);

  it('calls a cancel at or after the deadline expired', () => {
    expect(cancellationReason('Select', deadline, 10_000)).toBeInstanceOf(DeadlineExpired);
    expect(cancellationReason('Select', deadline, 12_000)).toBeInstanceOf(DeadlineExpired);
  });

  it("calls a cancel just before our copy of the deadline expired: the caller's timer fired first", () => {
    expect(cancellationReason('Select', deadline, 10_000 - DEADLINE_CANCEL_SLACK_MS)).toBeInstanceOf(DeadlineExpired);
  });

  it('calls an earlier cancel, or one without a deadline, the caller giving up', () => {
    expect(cancellationReason('Select', deadline, 10_000 - DEADLINE_CANCEL_SLACK_MS - 1)).toBeInstanceOf(Cancelled);
    expect(cancellationReason('Select', undefined, 10_000)).toBeInstanceOf(Cancelled);
  });
});

describe('answeredError', () => {
  it("answers with the signal's reason for a non-Switchyard error thrown after the call was cancelled", () => {
    const signal = AbortSignal.abort(new DeadlineExpired('deadline passed'));
    expect(answeredError(new DOMException('aborted', 'AbortError'), signal)).toBe(signal.reason);
  });

  it('keeps a Switchyard error, and any error while the call is still live', () => {
    const refusal = new Cancelled('caller cancelled');
    expect(answeredError(refusal, AbortSignal.abort(new DeadlineExpired('late')))).toBe(refusal);
    const bug = new Error('bug');
    expect(answeredError(bug, new AbortController().signal)).toBe(bug);
  });
});
