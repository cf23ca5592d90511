import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  type Client,
  type ClientReadableStream,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { currentCallScope } from './call-scope';
import type { CallOpts, ClientOptions } from './grpc-client';
import { DEFAULT_MAX_MESSAGE_BYTES } from './grpc-server';
import { fromGrpcError } from './grpc-status';

type ServerStreamMethods<D> = {
  [K in keyof D as D[K] extends { requestStream: false; responseStream: true } ? K : never]: D[K] extends {
    requestSerialize: (value: infer Req) => Buffer;
    responseDeserialize: (value: Buffer) => infer Res;
  }
    ? (request: Req, opts?: CallOpts) => AsyncIterable<Res>
    : never;
};

/** The server-streaming methods of one service, each returning the response messages as an async iterable. */
export type StreamingClient<D> = ServerStreamMethods<D> & { close(): void };

/**
 * Binds the server-streaming methods of a ts-proto service definition to a channel. The call starts when
 * iteration starts; leaving the loop early (break, throw) cancels it, as does the current incoming call's
 * cancellation. Deadlines propagate like createClient's, and a failed stream throws the domain error of its
 * status (fromGrpcError), so callers handle streams and unary calls alike.
 */
export function createStreamingClient<D extends ServiceDefinition>(definition: D, address: string, options: ClientOptions): StreamingClient<D> {
  const Ctor = makeGenericClientConstructor(definition, options.dependency);
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const client: Client = new Ctor(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
  });
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
  const result: Record<string, unknown> = { close: () => client.close() };
  for (const [name, method] of Object.entries(definition)) {
    if (method.requestStream || !method.responseStream) continue;
    result[name] = (request: unknown, opts: CallOpts = {}): AsyncIterable<unknown> => ({
      [Symbol.asyncIterator]: () => {
        const scope = currentCallScope();
        const deadline = opts.deadline ?? scope?.deadline ?? new Date(Date.now() + defaultTimeoutMs);
        const signal = opts.signal ?? scope?.signal;
        const start = () =>
          client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request, opts.metadata ?? new Metadata(), {
            deadline,
          });
        return readAll(start, signal, options.dependency)[Symbol.asyncIterator]();
      },
    });
  }
  return result as StreamingClient<D>;
}

async function* readAll(start: () => ClientReadableStream<unknown>, signal: AbortSignal | undefined, dependency: string): AsyncGenerator<unknown> {
  const call = start();
  // A cancelled call still reports its status as an 'error' event, possibly after the loop below has
  // stopped listening; without a listener of our own that event would crash the process.
  call.on('error', () => undefined);
  const onAbort = () => call.cancel();
  if (signal?.aborted) call.cancel();
  else signal?.addEventListener('abort', onAbort, { once: true });
  let settled = false;
  try {
    for await (const message of call) yield message;
    settled = true;
  } catch (err) {
    settled = true;
    throw fromGrpcError(err, dependency);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!settled) call.cancel();
  }
}
