import { gatewayV1 } from '@switchyard/contracts';
import { runInCallScope } from '@switchyard/service-kit';
import { Cancelled, Unavailable } from '@switchyard/service-kit/errors';
import { completeInput as input, fakePorts, hit, manualIntervals, recordingObserver, settle, upstreamStream } from '../../test/support/fake-ports';
import { streamCompleteRequest, type CompletionStreamEvent } from './stream-complete';

async function collect(stream: AsyncIterable<CompletionStreamEvent>): Promise<CompletionStreamEvent[]> {
  const events: CompletionStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe('streamCompleteRequest', () => {
  it('streams the route first, then the deltas, then usage; releases with usage and stores the whole answer', async () => {
    const { ports, calls, released, stored } = fakePorts();
    const events = await collect(streamCompleteRequest('team-a', input, ports, recordingObserver().observer));
    expect(events.map((e) => e.type)).toEqual(['started', 'delta', 'delta', 'delta', 'finished']);
    expect(events[0]).toMatchObject({ route: { model: 'gpt-4o-mini', region: 'westus', attempts: 2, queueWaitMs: 7, cache: gatewayV1.CacheStatus.CACHE_STATUS_MISS } });
    expect(events.at(-1)).toEqual({ type: 'finished', usage: { inputTokens: 14, outputTokens: 3 }, finishReason: 'stop' });
    expect(calls).toContain('stream:gpt-4o-mini:eastus:team-a');
    await settle();
    expect(released).toEqual([{ pool: 'gpt-4o-mini', leaseId: 'lease-1', usage: { inputTokens: 14, outputTokens: 3 } }]);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.content).toBe('Paris is the capital.');
  });

  it('streams a cache hit as one delta without queue or upstream', async () => {
    const { ports, calls } = fakePorts(hit('Paris.', gatewayV1.CacheStatus.CACHE_STATUS_EXACT));
    const events = await collect(streamCompleteRequest('team-a', input, ports, recordingObserver().observer));
    expect(events).toEqual([
      { type: 'started', route: expect.objectContaining({ cache: gatewayV1.CacheStatus.CACHE_STATUS_EXACT }) },
      { type: 'delta', content: 'Paris.' },
      { type: 'finished', usage: { inputTokens: 14, outputTokens: 2 }, finishReason: 'stop' },
    ]);
    expect(calls).toEqual(['lookup']);
  });

  it('releases the lease and stores nothing when the upstream fails mid-stream', async () => {
    const { ports, released, stored } = fakePorts();
    ports.setStream(upstreamStream(['a', 'b', 'c'], { failAfter: 1, error: new Unavailable('region-router is unavailable') }));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of streamCompleteRequest('team-a', input, ports, recordingObserver().observer)) seen.push(event.type);
      })(),
    ).rejects.toBeInstanceOf(Unavailable);
    expect(seen).toEqual(['started', 'delta']);
    await settle();
    expect(released).toHaveLength(1);
    expect(released[0]!.usage).toBeUndefined();
    expect(stored).toHaveLength(0);
  });

  it('releases the lease, outside the cancelled scope, when the consumer walks away mid-stream', async () => {
    const { ports, released, releaseScopes, stored } = fakePorts();
    const controller = new AbortController();
    await runInCallScope({ signal: controller.signal }, async () => {
      for await (const event of streamCompleteRequest('team-a', input, ports, recordingObserver().observer)) {
        if (event.type === 'delta') {
          controller.abort(new Cancelled('gone'));
          break;
        }
      }
    });
    await settle();
    expect(released).toHaveLength(1);
    // Released in a scope of its own: the request's cancelled signal would cancel the release call itself.
    expect(releaseScopes[0]).toBeDefined();
    expect(releaseScopes[0]!.aborted).toBe(false);
    expect(stored).toHaveLength(0);
  });

  it('refuses a stream that ends without finishing, and releases', async () => {
    const { ports, released } = fakePorts();
    ports.setStream(async function* () {
      yield { event: { $case: 'started', value: { region: 'eastus', attempts: 1, reason: '' } } };
      yield { event: { $case: 'delta', value: { content: 'half' } } };
    });
    await expect(collect(streamCompleteRequest('team-a', input, ports, recordingObserver().observer))).rejects.toThrow(/before the answer was complete/);
    await settle();
    expect(released).toHaveLength(1);
  });

  it('keeps the lease renewed while the stream is open and stops renewing when it ends', async () => {
    const { ports, renewed } = fakePorts();
    const intervals = manualIntervals();
    const stream = streamCompleteRequest('team-a', input, ports, recordingObserver().observer, intervals.timers);
    await stream.next();
    intervals.fire();
    await settle();
    expect(renewed).toHaveLength(1);
    await collect(stream);
    expect(intervals.active.size).toBe(0);
  });

  it('reports a lease the queue no longer knows', async () => {
    const { ports } = fakePorts();
    ports.queue.renew = async () => ({ renewed: false });
    const intervals = manualIntervals();
    const { observer, events } = recordingObserver();
    const stream = streamCompleteRequest('team-a', input, ports, observer, intervals.timers);
    await stream.next();
    intervals.fire();
    await settle();
    expect(events).toEqual(['lease-renew-failed']);
    await stream.return();
  });
});
