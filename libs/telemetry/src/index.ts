export * from './start-telemetry';
export * from './spans';
export * from './metrics';
export * from './genai-attributes';
export * from './metric-views';
export * from './metric-catalog';
