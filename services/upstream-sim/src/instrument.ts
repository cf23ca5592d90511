// Loaded with `node --require` before main.ts so the HTTP server joins the callers' traces.
import { startTelemetry } from '@switchyard/telemetry';

startTelemetry('upstream-sim');
