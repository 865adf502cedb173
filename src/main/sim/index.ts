export { FieldSimulator } from './simulator';
export type { FieldSimulatorOptions } from './options';
export { RejectReason, STUCK_REASON } from './valve';
export { leakAlertId } from './site-host';
export { startEmbeddedBroker } from './broker';
export { demoDefinitions } from './demo-definitions';
