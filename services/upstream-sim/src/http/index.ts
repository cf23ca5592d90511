export { startSimulator, type SimulatorDependencies, type StartedSimulator } from './start-simulator';
export type { RequestLogger } from './request-context';
