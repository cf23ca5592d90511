export * from './otlp-receiver';
export * from './wait-until';
