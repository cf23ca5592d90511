import { performance } from 'node:perf_hooks';
import type { Meter } from '@switchyard/telemetry';
import { measureGatewayCall, ObservedCall, type GatewayOperation, type GatewayOutcome, type GatewayTransport } from './gateway-call';

export interface GatewayMetrics {
  /**
   * Runs one call from now to its answer and records its duration and overhead however it ends. `run` gets the
   * call's ObservedCall to hand to the front door; `outcomeOf` names a thrown (or noted) error as the transport
   * answers it.
   */
  measure<T>(operation: GatewayOperation, transport: GatewayTransport, outcomeOf: (err: unknown) => GatewayOutcome, run: (call: ObservedCall) => Promise<T>): Promise<T>;
}

/** The gateway's catalog histograms (libs/telemetry metric-catalog.ts): switchyard.gateway.duration and .overhead. */
export function gatewayMetrics(meter: Meter, now: () => number = () => performance.now()): GatewayMetrics {
  const duration = meter.createHistogram('switchyard.gateway.duration', { description: 'Time from receiving a request to answering it', unit: 'ms' });
  const overhead = meter.createHistogram('switchyard.gateway.overhead', {
    description: 'Gateway time minus the time spent upstream: what Switchyard itself adds',
    unit: 'ms',
  });

  const record = (call: ObservedCall, outcome: GatewayOutcome) => {
    const measured = measureGatewayCall(call, now(), outcome);
    duration.record(measured.durationMs, measured.attributes);
    overhead.record(measured.overheadMs, measured.attributes);
  };

  return {
    async measure(operation, transport, outcomeOf, run) {
      const call = new ObservedCall(operation, transport, now);
      try {
        const result = await run(call);
        record(call, call.failure ? outcomeOf(call.failure.error) : 'ok');
        return result;
      } catch (err) {
        record(call, outcomeOf(err));
        throw err;
      }
    },
  };
}
