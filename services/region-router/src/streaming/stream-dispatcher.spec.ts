import { systemTimers } from '@switchyard/service-kit/clock';
import { Cancelled, DeadlineExpired, InvalidArgument, Unavailable } from '@switchyard/service-kit/errors';
import { Failover, RegionRouter, Residency, UpstreamError, defaultRegions, type AttemptEvent, type UpstreamCompletionRequest } from '../routing';
import { StreamDispatcher, type StreamDispatchEvent, type StreamDispatchInput } from './stream-dispatcher';
import type { OpenedStream, StreamingUpstream, StreamOpenOptions, StreamPart } from './streaming-upstream';

type Opener = (region: string, request: UpstreamCompletionRequest, options: StreamOpenOptions) => Promise<OpenedStream>;

/** An answer streamed piece by piece; `hold` keeps it open after the pieces until the signal aborts. */
function answer(pieces: string[], options: { hold?: boolean; breakAfter?: number; signal?: AbortSignal } = {}): OpenedStream {
  return {
    parts: (async function* (): AsyncGenerator<StreamPart> {
      for (const [i, content] of pieces.entries()) {
        if (options.breakAfter !== undefined && i >= options.breakAfter) throw new UpstreamError('connection reset mid-stream');
        yield { type: 'delta', content };
      }
      if (options.hold) {
        await new Promise((_, reject) => {
          const abort = () => reject(new UpstreamError('upstream call aborted'));
          if (options.signal!.aborted) abort();
          else options.signal!.addEventListener('abort', abort, { once: true });
        });
      }
      yield { type: 'end', finishReason: 'stop', inputTokens: 12, outputTokens: pieces.length };
    })(),
  };
}

function setup(open: Opener, residency = new Residency()) {
  const router = new RegionRouter({ regions: defaultRegions((n) => `http://${n}.test/v1`), clock: { now: () => Date.now() } });
  const opened: Array<{ region: string; signal: AbortSignal }> = [];
  const upstream: StreamingUpstream = {
    openStream: (region, request, options) => {
      opened.push({ region, signal: options.signal });
      return open(region, request, options);
    },
  };
  const events: AttemptEvent[] = [];
  const dispatcher = new StreamDispatcher({
    failoverFor: (aroundAttempt) =>
      new Failover({
        router,
        clock: { now: () => Date.now() },
        timers: systemTimers,
        upstreamTimeoutMs: 5_000,
        attemptDeadlineShare: 0.5,
        onAttempt: (e) => events.push(e),
        aroundAttempt,
      }),
    upstream,
    residency,
    clock: { now: () => Date.now() },
    defaultMaxTokensEstimate: 100,
  });
  return { dispatcher, opened, events, router };
}

const input = (extra: Partial<StreamDispatchInput> = {}): StreamDispatchInput => ({
  model: 'gpt-4o-mini',
  userRegion: 'eastus',
  tenant: 'team-a',
  messages: [{ role: 'user', content: 'hello' }],
  temperature: 0,
  maxTokens: 0,
  ...extra,
});

async function collect(stream: AsyncIterable<StreamDispatchEvent>): Promise<StreamDispatchEvent[]> {
  const out: StreamDispatchEvent[] = [];
  for await (const event of stream) out.push(event);
  return out;
}

describe('StreamDispatcher', () => {
  it('streams started, the deltas and finished with the upstream usage', async () => {
    const { dispatcher, opened } = setup(async () => answer(['Hel', 'lo']));
    expect(await collect(dispatcher.stream(input()))).toEqual([
      { type: 'started', region: 'eastus', attempts: 1, reason: expect.any(String) },
      { type: 'delta', content: 'Hel' },
      { type: 'delta', content: 'lo' },
      { type: 'finished', inputTokens: 12, outputTokens: 2, finishReason: 'stop' },
    ]);
    // The upstream request is closed once the stream is over.
    expect(opened[0]!.signal.aborted).toBe(true);
  });

  it('fails over to another region while the stream has not opened yet', async () => {
    const { dispatcher, events } = setup(async (region) => {
      if (region === 'eastus') throw new UpstreamError('429 slow down', { status: 429, retryAfterMs: 2_000 });
      return answer(['ok']);
    });
    const [started] = await collect(dispatcher.stream(input()));
    expect(started).toMatchObject({ type: 'started', region: 'westus', attempts: 2 });
    expect(events.map((e) => [e.region, e.outcome])).toEqual([
      ['eastus', 'throttled'],
      ['westus', 'ok'],
    ]);
  });

  it('does not fail over once text has flowed: the call fails with Unavailable', async () => {
    const { dispatcher, opened } = setup(async () => answer(['a', 'b', 'c'], { breakAfter: 1 }));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of dispatcher.stream(input())) seen.push(event.type);
      })(),
    ).rejects.toBeInstanceOf(Unavailable);
    expect(seen).toEqual(['started', 'delta']);
    expect(opened).toHaveLength(1);
  });

  it('keeps to the tenant\'s regions', async () => {
    const { dispatcher, opened } = setup(async () => answer(['ok']), new Residency({ 'team-eu': ['westeurope'] }));
    await collect(dispatcher.stream(input({ tenant: 'team-eu' })));
    expect(opened.map((o) => o.region)).toEqual(['westeurope']);
  });

  it('aborts the upstream stream when the caller cancels mid-stream', async () => {
    const caller = new AbortController();
    const { dispatcher, opened } = setup(async (_region, _request, options) => answer(['first'], { hold: true, signal: options.signal }));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of dispatcher.stream(input({ signal: caller.signal }))) {
          seen.push(event.type);
          if (event.type === 'delta') caller.abort();
        }
      })(),
    ).rejects.toBeInstanceOf(Cancelled);
    expect(seen).toEqual(['started', 'delta']);
    expect(opened[0]!.signal.aborted).toBe(true);
  });

  it('aborts the upstream stream when the consumer stops reading', async () => {
    const { dispatcher, opened } = setup(async (_region, _request, options) => answer(['first'], { hold: true, signal: options.signal }));
    for await (const event of dispatcher.stream(input())) if (event.type === 'delta') break;
    expect(opened[0]!.signal.aborted).toBe(true);
  });

  it('ends a stream that outlives its deadline with DeadlineExpired', async () => {
    const { dispatcher } = setup(async (_region, _request, options) => answer(['first'], { hold: true, signal: options.signal }));
    await expect(collect(dispatcher.stream(input({ deadlineMs: Date.now() + 150 })))).rejects.toBeInstanceOf(DeadlineExpired);
  });

  it('refuses an invalid request before any region is tried', async () => {
    const { dispatcher, opened } = setup(async () => answer(['x']));
    await expect(collect(dispatcher.stream(input({ messages: [] })))).rejects.toBeInstanceOf(InvalidArgument);
    await expect(collect(dispatcher.stream(input({ model: '' })))).rejects.toBeInstanceOf(InvalidArgument);
    expect(opened).toHaveLength(0);
  });

  it('answers Unavailable when every region fails to open', async () => {
    const { dispatcher } = setup(async () => {
      throw new UpstreamError('503', { status: 503 });
    });
    await expect(collect(dispatcher.stream(input()))).rejects.toBeInstanceOf(Unavailable);
  });
});
