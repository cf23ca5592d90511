import { gatewayV1, type queueV1 } from '@switchyard/contracts';
import { currentCallScope, runInCallScope } from '@switchyard/service-kit';
import { InvalidArgument, ResourceExhausted } from '@switchyard/service-kit/errors';
import { completeInput, fakePorts, hit, miss, recordingObserver, settle } from '../../test/support/fake-ports';
import { planAndAdmit } from './plan-and-admit';

const named = { ...completeInput, model: 'gpt-4o-mini' };

/** A queue whose Acquire waits until granted by hand, and reports when its call scope is cancelled. */
function gatedQueue(ports: ReturnType<typeof fakePorts>['ports']) {
  const events: string[] = [];
  let grant: () => void = () => undefined;
  ports.queue.acquire = (request: queueV1.AcquireRequest) =>
    new Promise((resolve, reject) => {
      events.push(`acquire:${request.pool}`);
      const signal = currentCallScope()?.signal;
      signal?.addEventListener('abort', () => {
        events.push('acquire-cancelled');
        reject(signal.reason);
      });
      grant = () => resolve({ leaseId: 'lease-early', queueWaitMs: 3, leaseTtlMs: 0 });
    });
  return { events, grant: () => grant() };
}

describe('planAndAdmit', () => {
  it('asks for the queue slot while the model router and the cache answer, when the request names its model', async () => {
    const { ports } = fakePorts(miss);
    const order: string[] = [];
    let selected: () => void = () => undefined;
    ports.modelRouter.select = async () => {
      order.push('select:start');
      await new Promise<void>((resolve) => (selected = resolve));
      return { model: 'gpt-4o-mini', tier: 'simple', reason: 'requested', fallbacks: [], complexity: 0.1, estimatedInputTokens: 10 };
    };
    const queue = gatedQueue(ports);
    const admitted = planAndAdmit('team-a', named, ports, recordingObserver().observer);
    await settle();
    expect([...queue.events, ...order]).toEqual(['acquire:gpt-4o-mini', 'select:start']);
    selected();
    queue.grant();
    const result = await admitted;
    expect(result.lease?.queueWaitMs).toBe(3);
    expect(queue.events).toEqual(['acquire:gpt-4o-mini']);
  });

  it('cancels a pending early Acquire when the cache answers, and answers without waiting for the queue', async () => {
    const { ports, released } = fakePorts(hit('Paris.'));
    const queue = gatedQueue(ports);
    const result = await planAndAdmit('team-a', named, ports, recordingObserver().observer);
    expect(result.hit?.content).toBe('Paris.');
    expect(result.route.cache).toBe(gatewayV1.CacheStatus.CACHE_STATUS_SEMANTIC);
    await settle();
    expect(queue.events).toEqual(['acquire:gpt-4o-mini', 'acquire-cancelled']);
    expect(released).toEqual([]);
  });

  it('gives an already granted early slot straight back when the cache answers', async () => {
    const { ports, released, calls } = fakePorts(hit('Paris.'));
    const result = await planAndAdmit('team-a', named, ports, recordingObserver().observer);
    expect(result.hit?.content).toBe('Paris.');
    await settle();
    expect(calls).toContain('acquire:gpt-4o-mini:team-a:3');
    expect(released).toEqual([{ pool: 'gpt-4o-mini', leaseId: 'lease-1', usage: undefined }]);
  });

  it('lets the cache answer even when the queue refuses, and passes the refusal on for a miss', async () => {
    const refusing = (lookup: typeof miss) => {
      const { ports } = fakePorts(lookup);
      ports.queue.acquire = async () => {
        throw new ResourceExhausted('queue full', 500);
      };
      return ports;
    };
    await expect(planAndAdmit('team-a', named, refusing(hit('Paris.')), recordingObserver().observer)).resolves.toMatchObject({ hit: { content: 'Paris.' } });
    await expect(planAndAdmit('team-a', named, refusing(miss), recordingObserver().observer)).rejects.toBeInstanceOf(ResourceExhausted);
  });

  it('gives the early slot back when the model router refuses the request', async () => {
    const { ports, released } = fakePorts(miss);
    ports.modelRouter.select = async () => {
      throw new InvalidArgument('model', 'is not in the catalog');
    };
    await expect(planAndAdmit('team-a', named, ports, recordingObserver().observer)).rejects.toBeInstanceOf(InvalidArgument);
    await settle();
    expect(released).toEqual([{ pool: 'gpt-4o-mini', leaseId: 'lease-1', usage: undefined }]);
  });

  it('queues in the pool of the model actually selected when it differs from the one named', async () => {
    const { ports, calls, released } = fakePorts(miss);
    ports.modelRouter.select = async () => ({ model: 'gpt-4o', tier: 'standard', reason: 'alias', fallbacks: [], complexity: 0.1, estimatedInputTokens: 10 });
    const result = await planAndAdmit('team-a', named, ports, recordingObserver().observer);
    await settle();
    expect(calls.filter((c) => c.startsWith('acquire'))).toEqual(['acquire:gpt-4o-mini:team-a:3', 'acquire:gpt-4o:team-a:3']);
    expect(released).toEqual([{ pool: 'gpt-4o-mini', leaseId: 'lease-1', usage: undefined }]);
    expect(result.lease).toBeDefined();
  });

  it('cancels the early Acquire with the request', async () => {
    const { ports } = fakePorts(miss);
    const queue = gatedQueue(ports);
    const request = new AbortController();
    const admitted = runInCallScope({ signal: request.signal }, () => planAndAdmit('team-a', named, ports, recordingObserver().observer));
    await settle();
    request.abort(new Error('caller went away'));
    await expect(admitted).rejects.toThrow('caller went away');
    expect(queue.events).toEqual(['acquire:gpt-4o-mini', 'acquire-cancelled']);
  });

  it('asks the queue only after the selection when the request leaves the model to the router', async () => {
    const { ports, calls } = fakePorts(miss);
    await planAndAdmit('team-a', completeInput, ports, recordingObserver().observer);
    expect(calls).toEqual(['lookup', 'acquire:gpt-4o-mini:team-a:3']);
  });
});
