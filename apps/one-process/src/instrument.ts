// Loaded with `node --require` before main.ts so gRPC and HTTP are instrumented from the first import.
// One process means one service.name; the hops are told apart by the `rpc.service` of their server spans.
import { startTelemetry } from '@switchyard/telemetry';

startTelemetry('switchyard');
