// Loaded with `node --require` before main.ts so gRPC is instrumented from the first import.
import { startTelemetry } from '@switchyard/telemetry';

startTelemetry('queue');
