import { TopicSafeId } from '../../shared/ids';
import type { Logger } from '../log';

export interface FieldSimulatorOptions {
  /** mqtt://host:port (or mqtts, ws, wss). */
  brokerUrl: string;
  /** The site id used in every topic; topic-safe. */
  site: string;
  log: Logger;
  /** 1 to 10,000; default 24. */
  valves?: number;
  /** Telemetry samples per second over all points; 0 for none; default 20. */
  rate?: number;
  /** Gateways (one MQTT connection each), 1 to 100; default 2. */
  gateways?: number;
  /** Mark the site as DEMO / training, so no console can take it for a real line; default true. */
  demo?: boolean;
  /** Default "DEMO pipeline", or "Simulated pipeline" when not demo. */
  siteName?: string;
  /** Time for a full open or close stroke; default 4000 ms. */
  strokeMs?: number;
  /** MQTT 3.1.1 (4, the default: every broker speaks it, aedes only that) or 5. */
  protocolVersion?: 4 | 5;
  /** Seed for noise and drift; the same seed gives the same run. Default 1. */
  seed?: number;
  /** The field's clock: timestamps in messages and command expiry. Default: the system clock. */
  now?: () => Date;
  /** How long start() waits for the broker before giving up; default 10 s. */
  connectTimeoutMs?: number;
  /** Gateways speak Sparkplug B (an edge node each) instead of the Plainview protocol; default false. */
  sparkplug?: boolean;
  /** Plainview protocol 2 (the default) or 1 (a v1 field, to test a site's transition). */
  protocol?: 1 | 2;
  /**
   * The MQTT account of each connection: a gateway's id, or `pipelineguard` for the site host
   * (site description and alerts). Default: none (anonymous), for brokers that allow it.
   */
  credentials?: (account: string) => SimCredentials | null;
}

export interface SimCredentials {
  username: string;
  password: string;
}

export type ResolvedOptions = Required<FieldSimulatorOptions>;

export const MAX_VALVES = 10_000;
export const MAX_GATEWAYS = 100;
export const MAX_RATE = 100_000;

/** A bad option: the message names it and says what is allowed. */
export class SimulatorError extends Error {}

function wholeIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SimulatorError(`${name} must be a whole number from ${min} to ${max}, not ${value}`);
  }
  return value;
}

function numberIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new SimulatorError(`${name} must be a number from ${min} to ${max}, not ${value}`);
  }
  return value;
}

export function resolveOptions(o: FieldSimulatorOptions): ResolvedOptions {
  if (!TopicSafeId.safeParse(o.site).success) {
    throw new SimulatorError(`site "${o.site}" must be 1-64 letters, digits, dots, dashes or underscores`);
  }
  const demo = o.demo ?? true;
  return {
    brokerUrl: o.brokerUrl,
    site: o.site,
    log: o.log,
    valves: wholeIn('valves', o.valves ?? 24, 1, MAX_VALVES),
    rate: numberIn('rate', o.rate ?? 20, 0, MAX_RATE),
    gateways: wholeIn('gateways', o.gateways ?? 2, 1, MAX_GATEWAYS),
    demo,
    siteName: o.siteName ?? (demo ? 'DEMO pipeline' : 'Simulated pipeline'),
    strokeMs: numberIn('strokeMs', o.strokeMs ?? 4000, 1, 600_000),
    protocolVersion: o.protocolVersion ?? 4,
    seed: o.seed ?? 1,
    now: o.now ?? (() => new Date()),
    connectTimeoutMs: numberIn('connectTimeoutMs', o.connectTimeoutMs ?? 10_000, 1, 600_000),
    sparkplug: o.sparkplug ?? false,
    protocol: o.protocol ?? 2,
    credentials: o.credentials ?? (() => null),
  };
}
