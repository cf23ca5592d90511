export * from './service-process';
export * from './stack';
export * from './metrics-ports';
