import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs (pino) that carry the active span's trace_id/span_id, so a log line leads to its trace.
 * Request and answer text never go into logs; authorization headers are redacted wherever they appear.
 * `destination` defaults to stdout; tests pass a stream to read the lines back.
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['authorization', '*.authorization', '*.headers.authorization', 'apiKey', '*.apiKey', 'headers["x-api-key"]', '*.headers["x-api-key"]'],
      censor: '[redacted]',
    },
    mixin() {
      const spanContext = trace.getActiveSpan()?.spanContext();
      // Without an SDK the active "span" is a placeholder with all-zero ids that lead nowhere.
      if (!spanContext || !trace.isSpanContextValid(spanContext)) return {};
      return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
