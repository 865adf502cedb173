export { FieldSimulator, type SimulatorStats, type ValveInfo } from './simulator';
export { SimulatorError, MAX_VALVES, MAX_GATEWAYS, MAX_RATE, type FieldSimulatorOptions } from './options';
export { RejectReason, STUCK_REASON } from './valve';
export { leakAlertId } from './site-host';
export { startEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from './broker';
export type { SiteLayout, SegmentSpec, ValveSpec, PointSpec, ValveRole } from './layout';
