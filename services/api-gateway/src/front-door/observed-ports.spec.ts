import type { batcherV1 } from '@switchyard/contracts';
import { fakePorts, upstreamStream } from '../../test/support/fake-ports';
import { ObservedCall } from '../metrics/gateway-call';
import { observedPorts, reportedUpstreamMs } from './observed-ports';

const executed = (tried: Array<{ durationMs: number }>): batcherV1.ExecuteResponse => ({
  completion: undefined,
  embedding: undefined,
  region: 'westus',
  batchSize: 1,
  batchWaitMs: 0,
  attempts: tried.length,
  upstream: { reason: 'closest', tried: tried.map((t, i) => ({ region: i ? 'westus' : 'eastus', outcome: i ? 'ok' : 'throttled', httpStatus: 0, note: '', ...t })) },
});

describe('reportedUpstreamMs', () => {
  it('adds up every attempt the region router made, failed ones included', () => {
    expect(reportedUpstreamMs(executed([{ durationMs: 4 }, { durationMs: 31 }]))).toBe(35);
  });

  it('reports nothing when the response carries no attempts', () => {
    expect(reportedUpstreamMs(executed([]))).toBeUndefined();
    expect(reportedUpstreamMs({ ...executed([]), upstream: undefined })).toBeUndefined();
  });
});

describe('observedPorts', () => {
  it('times the batcher call into the call, counting the reported provider time', async () => {
    let now = 0;
    const call = new ObservedCall('complete', 'grpc', () => now);
    const { ports } = fakePorts();
    ports.batcher.execute = async () => {
      now += 50;
      return executed([{ durationMs: 4 }, { durationMs: 31 }]);
    };

    await observedPorts(ports, call).batcher.execute({} as batcherV1.ExecuteRequest);
    expect(call.dispatched).toBe(true);
    expect(call.upstreamMs).toBe(35);
  });

  it('times the region router stream from its opening to its end, and passes its events on unchanged', async () => {
    let now = 0;
    const call = new ObservedCall('stream_complete', 'http', () => now);
    const { ports } = fakePorts();
    ports.setStream(upstreamStream(['a', 'b']));

    const cases: string[] = [];
    for await (const { event } of observedPorts(ports, call).regionRouter.streamDispatch({ model: 'm', userRegion: '', tenant: 't', completion: undefined })) {
      cases.push(event!.$case);
      now += 7;
    }
    expect(cases).toEqual(['started', 'delta', 'delta', 'finished']);
    expect(call.upstreamMs).toBe(28);
  });

  it('leaves the other ports alone', () => {
    const { ports } = fakePorts();
    const observed = observedPorts(ports, new ObservedCall('complete', 'grpc', () => 0));
    expect(observed.queue).toBe(ports.queue);
    expect(observed.cache).toBe(ports.cache);
    expect(observed.modelRouter).toBe(ports.modelRouter);
  });
});
