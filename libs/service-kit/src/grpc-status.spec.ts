import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { Cancelled, InvalidArgument, ResourceExhausted, Unavailable } from './errors';
import { fromGrpcError, RETRY_AFTER_MS_KEY, toGrpcError } from './grpc-status';

function serviceError(code: status, details: string, trailers: Record<string, string> = {}): ServiceError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata });
}

describe('toGrpcError', () => {
  it('puts a rounded-up retry hint in the retry-after-ms trailer', () => {
    const { code, metadata } = toGrpcError(new ResourceExhausted('shed', 10.1));
    expect(code).toBe(status.RESOURCE_EXHAUSTED);
    expect(metadata.get(RETRY_AFTER_MS_KEY)).toEqual(['11']);
  });

  it('sends no retry trailer when there is no hint', () => {
    expect(toGrpcError(new Unavailable('down')).metadata.get(RETRY_AFTER_MS_KEY)).toEqual([]);
  });

  it('passes a gRPC error from a raw client on with its own code and details', () => {
    expect(toGrpcError(serviceError(status.NOT_FOUND, 'no such lease'))).toMatchObject({ code: status.NOT_FOUND, details: 'no such lease' });
  });

  it.each([new Error('secret'), 'a string', undefined, { code: 'ECONNRESET', message: 'secret' }])('answers INTERNAL for %p without its text', (thrown) => {
    const { code, details } = toGrpcError(thrown);
    expect(code).toBe(status.INTERNAL);
    expect(details).not.toContain('secret');
  });
});

describe('fromGrpcError', () => {
  it('ignores a malformed retry-after-ms trailer instead of returning NaN', () => {
    const err = fromGrpcError(serviceError(status.RESOURCE_EXHAUSTED, 'full', { [RETRY_AFTER_MS_KEY]: 'soon' }), 'queue');
    expect(err).toBeInstanceOf(ResourceExhausted);
    expect((err as ResourceExhausted).retryAfterMs).toBeUndefined();
  });

  it('keeps the retry hint of UNAVAILABLE and names the dependency', () => {
    const err = fromGrpcError(serviceError(status.UNAVAILABLE, 'connect ECONNREFUSED', { [RETRY_AFTER_MS_KEY]: '500' }), 'queue');
    expect(err).toBeInstanceOf(Unavailable);
    expect((err as Unavailable).retryAfterMs).toBe(500);
    expect((err as Unavailable).message).toBe('queue is unavailable: connect ECONNREFUSED');
  });

  it('falls back to the field "request" when INVALID_ARGUMENT details name none', () => {
    const err = fromGrpcError(serviceError(status.INVALID_ARGUMENT, 'bad'), 'queue') as InvalidArgument;
    expect(err).toBeInstanceOf(InvalidArgument);
    expect(err.field).toBe('request');
  });

  it('reports codes outside the domain table as the dependency failing', () => {
    const err = fromGrpcError(serviceError(status.UNIMPLEMENTED, 'unknown method'), 'cache');
    expect(err).toBeInstanceOf(Unavailable);
    expect((err as Error).message).toBe('cache failed (UNIMPLEMENTED): unknown method');
  });

  it('returns anything that is not a gRPC error unchanged', () => {
    const original = new Cancelled('mine');
    expect(fromGrpcError(original, 'cache')).toBe(original);
  });
});
