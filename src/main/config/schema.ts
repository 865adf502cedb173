import { z } from 'zod';
import type { OperatorRole } from '../../shared/operators';
import { keys, type LogLevel } from './keys';

export interface Config {
  dataDir: string;
  siteId: string;
  stationId: string;
  logLevel: LogLevel;
  jsonLogging: boolean;
  logMaxBytes: number;
  logFiles: number;
  logMaxTotalBytes: number;
  backupIntervalHours: number;
  backupKeep: number;
  mqttUrl: string | null;
  /** A production station: no DEMO site; true whenever a policy file is present. */
  requirePolicy: boolean;
  mqttUsername: string | null;
  mqttCaFile: string | null;
  mqttCertFile: string | null;
  mqttKeyFile: string | null;
  mqttKeepaliveSec: number;
  /** `auto`: MQTT 5, falling back to 3.1.1 when the broker refuses it. */
  mqttProtocolVersion: 'auto' | 4 | 5;
  allowUrlPassword: boolean;
  allowPlaintextPassword: boolean;
  sparkplugHostId: string | null;
  sparkplugUsername: string | null;
  sparkplugPrimaryHost: boolean;
  sparkplugGroups: string[];
  sparkplugReorderTimeoutMs: number;
  sparkplugMappingFile: string | null;
  staleAfterSec: number;
  /** Also take protocol v1 gateways (a transition to v2; docs/protocol.md, "Migrating from v1"). */
  acceptV1: boolean;
  rawRetentionDays: number;
  minuteRetentionDays: number;
  rollupRetentionDays: number;
  ingestQueueMax: number;
  statusIntervalSec: number;
  selectionTimeoutSec: number;
  commandExpirySec: number;
  completionTimeoutSec: number;
  actuationsPerMinute: number;
  valveCooldownSec: number;
  incidentMutationsPerMinute: number;
  shelveOperatorMaxMin: number;
  operatorSignOn: boolean;
  osAccountRole: OperatorRole;
  idleLockMin: number;
  apiEnabled: boolean;
  apiPort: number;
  apiBind: ('127.0.0.1' | '::1')[];
  corsOrigins: string[];
  apiRequestsPerMinute: number;
  apiMutationsPerMinute: number;
  apiActuationsPerMinute: number;
  notifyCritical: boolean;
  alarmSound: boolean;
  windowMode: 'normal' | 'fullscreen' | 'kiosk';
  preventDisplaySleep: boolean;
  updatesEnabled: boolean;
  updateUrl: string | null;
  updateChannel: 'stable' | 'beta';
}

/** Where a value came from, named in errors and in `plainview config`-style output. */
export type Source = 'policy' | 'env' | '.env file' | 'settings' | 'default';

export type Provenance = Record<keyof Config, Source>;

/** Parses one key's raw value with its schema; the caller turns a failure into a message. */
export function parseKey<K extends keyof Config>(key: K, raw: unknown) {
  return (keys[key].schema as unknown as z.ZodType<Config[K]>).safeParse(raw);
}
