// Loaded with `node --require` before main.ts so gRPC and outgoing HTTP are instrumented from the first import.
import { startTelemetry } from '@switchyard/telemetry';

startTelemetry('region-router');
