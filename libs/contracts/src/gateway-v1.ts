export * from './gen/switchyard/gateway/v1/gateway';
