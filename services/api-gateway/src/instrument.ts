// Loaded with `node --require` before main.ts so gRPC and HTTP are instrumented from the first import.
import { startTelemetry } from '@switchyard/telemetry';

startTelemetry('api-gateway');
