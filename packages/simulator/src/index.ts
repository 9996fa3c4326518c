export type { SimulatorRequestRecord, SimulatorRequestStatus } from './create-request-log';
export { simulatorModel } from './parse-completion-request';
export type { SimulatorClock } from './simulator-clock';
export { type Simulator, type SimulatorOptions, startSimulator } from './start-simulator';
