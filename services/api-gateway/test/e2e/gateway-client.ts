import { credentials, Metadata, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { gatewayV1 } from '@switchyard/contracts';

/** A caller's view of the gateway: raw gRPC status codes, as an internal service would see them. */
export class GatewayTestClient {
  private readonly client: gatewayV1.GatewayClient;

  constructor(address: string) {
    this.client = new gatewayV1.GatewayClient(address, credentials.createInsecure());
  }

  complete(request: Partial<gatewayV1.CompleteRequest>, apiKey?: string, timeoutMs = 15_000): Promise<gatewayV1.CompleteResponse> {
    const full = gatewayV1.CompleteRequest.fromPartial(request);
    return new Promise((resolve, reject) =>
      this.client.complete(full, metadataFor(apiKey), { deadline: new Date(Date.now() + timeoutMs) }, (err, res) => (err ? reject(err) : resolve(res))),
    );
  }

  embed(request: Partial<gatewayV1.EmbedRequest>, apiKey?: string): Promise<gatewayV1.EmbedResponse> {
    const full = gatewayV1.EmbedRequest.fromPartial(request);
    return new Promise((resolve, reject) =>
      this.client.embed(full, metadataFor(apiKey), { deadline: new Date(Date.now() + 15_000) }, (err, res) => (err ? reject(err) : resolve(res))),
    );
  }

  /** A StreamComplete call; read it with `readStream` or cancel it. */
  streamComplete(request: Partial<gatewayV1.CompleteRequest>, apiKey?: string, timeoutMs = 15_000): ClientReadableStream<gatewayV1.StreamCompleteResponse> {
    const full = gatewayV1.StreamCompleteRequest.fromPartial({ request: gatewayV1.CompleteRequest.fromPartial(request) });
    return this.client.streamComplete(full, metadataFor(apiKey), { deadline: new Date(Date.now() + timeoutMs) });
  }

  close(): void {
    this.client.close();
  }
}

export interface StreamedAnswer {
  started?: gatewayV1.StreamStarted;
  deltas: string[];
  finished?: gatewayV1.StreamFinished;
}

/** Reads a stream to its end; `onEvent` sees each message as it arrives. Rejects with the call's ServiceError. */
export async function readStream(
  call: ClientReadableStream<gatewayV1.StreamCompleteResponse>,
  onEvent: (message: gatewayV1.StreamCompleteResponse, answer: StreamedAnswer) => void | Promise<void> = () => undefined,
): Promise<StreamedAnswer> {
  const answer: StreamedAnswer = { deltas: [] };
  for await (const message of call as AsyncIterable<gatewayV1.StreamCompleteResponse>) {
    const event = message.event;
    if (event?.$case === 'started') answer.started = event.value;
    if (event?.$case === 'delta') answer.deltas.push(event.value.content);
    if (event?.$case === 'finished') answer.finished = event.value;
    await onEvent(message, answer);
  }
  return answer;
}

function metadataFor(apiKey: string | undefined): Metadata {
  const metadata = new Metadata();
  if (apiKey) metadata.set('authorization', `Bearer ${apiKey}`);
  return metadata;
}

/** The gRPC status a call failed with (throws if it succeeded). */
export async function statusOf(call: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await call;
  } catch (err) {
    const { code, details } = err as ServiceError;
    return { code, details };
  }
  throw new Error('expected the call to fail');
}
