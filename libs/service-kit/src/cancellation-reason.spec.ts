import { cancellationReason, DEADLINE_CANCEL_SLACK_MS } from './cancellation-reason';
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
