export * from './service-process';
export * from './stack';
