/**
 * OpenTelemetry GenAI semantic-convention attribute names used on upstream spans
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/). Kept here so every service spells them alike.
 */
export const GenAiAttributes = {
  operationName: 'gen_ai.operation.name',
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTemperature: 'gen_ai.request.temperature',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
} as const;

/** Whether prompt and answer text may be recorded on spans (off unless explicitly enabled). */
export function contentCaptureEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === 'true';
}
