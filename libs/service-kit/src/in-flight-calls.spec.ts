import type { ServiceDefinition } from '@grpc/grpc-js';
import { InFlightCalls } from './in-flight-calls';

const method = (responseStream: boolean) => ({
  path: '/x.v1.X/M',
  requestStream: false,
  responseStream,
  requestSerialize: (v: unknown) => Buffer.from(String(v)),
  requestDeserialize: (b: Buffer) => b.toString(),
  responseSerialize: (v: unknown) => Buffer.from(String(v)),
  responseDeserialize: (b: Buffer) => b.toString(),
});

describe('InFlightCalls', () => {
  it('is idle at once when nothing is in flight', async () => {
    await expect(new InFlightCalls().idle()).resolves.toBeUndefined();
  });

  it('becomes idle only when the last call finishes, and counts a finish once', async () => {
    const calls = new InFlightCalls();
    const first = calls.start();
    const second = calls.start();
    let idle = false;
    void calls.idle().then(() => (idle = true));

    first();
    first();
    await Promise.resolve();
    expect(calls.size).toBe(1);
    expect(idle).toBe(false);

    second();
    await Promise.resolve();
    expect(calls.size).toBe(0);
    expect(idle).toBe(true);
  });

  it('counts a tracked unary call until it calls back', () => {
    const calls = new InFlightCalls();
    let reply: (() => void) | undefined;
    const definition = { get: method(false) } as unknown as ServiceDefinition;
    const tracked = calls.track(definition, { get: (_call: unknown, cb: () => void) => void (reply = cb) } as never);
    const callback = jest.fn();

    (tracked.get as (call: unknown, cb: () => void) => void)({}, callback);
    expect(calls.size).toBe(1);

    reply!();
    expect(calls.size).toBe(0);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('counts a tracked response stream until it finishes or is cancelled', async () => {
    const { EventEmitter } = await import('node:events');
    const calls = new InFlightCalls();
    const definition = { list: method(true) } as unknown as ServiceDefinition;
    const tracked = calls.track(definition, { list: () => undefined } as never);
    const finished = new EventEmitter();
    const cancelled = new EventEmitter();

    (tracked.list as (call: unknown) => void)(finished);
    (tracked.list as (call: unknown) => void)(cancelled);
    expect(calls.size).toBe(2);

    finished.emit('finish');
    cancelled.emit('cancelled');
    cancelled.emit('finish');
    expect(calls.size).toBe(0);
  });

  it('stops counting a call whose handler throws synchronously', () => {
    const calls = new InFlightCalls();
    const definition = { get: method(false) } as unknown as ServiceDefinition;
    const tracked = calls.track(definition, {
      get: () => {
        throw new Error('boom');
      },
    } as never);

    expect(() => (tracked.get as (call: unknown, cb: () => void) => void)({}, () => undefined)).toThrow('boom');
    expect(calls.size).toBe(0);
  });
});
