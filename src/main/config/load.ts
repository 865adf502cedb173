import os from 'node:os';
import { ConfigError } from './errors';
import { keys, type ConfigKey } from './keys';
import { defaultDataDir, policyFilePath, settingsFilePath } from './paths';
import { redactUrl, urlPassword } from './url';
import { parseKey, type Config, type Provenance } from './schema';
import { fromDotEnv, fromEnv, fromJsonFile, type SourceValues } from './sources';

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  policyPath?: string;
  settingsPath?: string;
  hostname?: string;
}

export interface LoadedConfig {
  config: Config;
  provenance: Provenance;
  /** Keys fixed by IT's policy file; the console must not offer to change them. */
  lockedByPolicy: ConfigKey[];
  warnings: string[];
}

/** A host name made topic-safe, so the default station id is always valid. */
function stationIdFromHost(hostname: string): string {
  const cleaned = hostname.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (cleaned || 'station').slice(0, 64);
}

function defaults(env: Record<string, string | undefined>, hostname: string): Config {
  return {
    dataDir: defaultDataDir(process.platform, env),
    siteId: 'demo',
    stationId: stationIdFromHost(hostname),
    logLevel: 'info',
    jsonLogging: false,
    logMaxBytes: 10 * 1024 * 1024,
    backupIntervalHours: 6,
    backupKeep: 10,
    mqttUrl: null,
    mqttUsername: null,
    mqttCaFile: null,
    mqttCertFile: null,
    mqttKeyFile: null,
    mqttKeepaliveSec: 10,
    mqttProtocolVersion: 'auto',
    allowUrlPassword: false,
    allowPlaintextPassword: false,
    sparkplugHostId: null,
    sparkplugUsername: null,
    sparkplugPrimaryHost: false,
    sparkplugGroups: [],
    sparkplugReorderTimeoutMs: 2000,
    sparkplugMappingFile: null,
    staleAfterSec: 30,
    rawRetentionDays: 7,
    rollupRetentionDays: 400,
    ingestQueueMax: 200_000,
    statusIntervalSec: 60,
    selectionTimeoutSec: 30,
    commandExpirySec: 10,
    completionTimeoutSec: 120,
    actuationsPerMinute: 10,
    valveCooldownSec: 5,
    incidentMutationsPerMinute: 20,
    shelveOperatorMaxMin: 60,
    operatorSignOn: false,
    acceptV1: false,
    osAccountRole: 'operator',
    idleLockMin: 15,
    apiEnabled: false,
    apiPort: 4000,
    apiBind: ['127.0.0.1'],
    corsOrigins: [],
    apiRequestsPerMinute: 100,
    apiMutationsPerMinute: 20,
    apiActuationsPerMinute: 10,
    notifyCritical: true,
    alarmSound: true,
    windowMode: 'normal',
    preventDisplaySleep: false,
    updatesEnabled: true,
    updateUrl: null,
    updateChannel: 'stable',
  };
}

function describe(key: ConfigKey, src: SourceValues): string {
  if (src.source === 'env') return `${keys[key].env} (from the environment)`;
  if (src.source === '.env file') return `${keys[key].env} (from ${src.origin})`;
  return `"${key}" (from the ${src.source} file ${src.origin})`;
}

/**
 * Loads the configuration from, highest first: IT's policy file, environment variables,
 * a .env file, the user's settings, defaults. Any bad value throws a ConfigError whose
 * message is the one line to print; nothing starts half-configured.
 */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const warnings: string[] = [];
  const sources = [
    fromJsonFile(options.policyPath ?? policyFilePath(), 'policy', warnings),
    fromEnv(env, 'env', warnings),
    fromDotEnv(options.cwd ?? process.cwd(), warnings),
    fromJsonFile(options.settingsPath ?? settingsFilePath(process.platform, env), 'settings', warnings),
  ];
  const config = defaults(env, options.hostname ?? os.hostname());
  const provenance = Object.fromEntries(Object.keys(config).map((k) => [k, 'default'])) as Provenance;
  const writable = config as unknown as Record<ConfigKey, unknown>;

  for (const key of Object.keys(keys) as ConfigKey[]) {
    const src = sources.find((s) => s.values[key] !== undefined);
    if (!src) continue;
    const raw = src.values[key];
    const parsed = parseKey(key, raw);
    if (!parsed.success) {
      const why = parsed.error.issues[0]?.message ?? 'invalid value';
      // A broker URL may carry a password: never repeat it.
      const shown = key === 'mqttUrl' && typeof raw === 'string' ? redactUrl(raw) : raw;
      throw new ConfigError(
        `Invalid configuration: ${describe(key, src)} is ${JSON.stringify(shown)}: ${why}. ${keys[key].doc}`,
      );
    }
    writable[key] = parsed.data;
    provenance[key] = src.source;
  }
  const urlSource = sources.find((s) => s.values.mqttUrl !== undefined);
  if (config.mqttUrl && urlPassword(config.mqttUrl) && !config.allowUrlPassword && urlSource) {
    throw new ConfigError(
      `Invalid configuration: ${describe('mqttUrl', urlSource)} contains a password; secrets never come from the ` +
        'configuration. Remove it from the URL, put the user name in PLAINVIEW_MQTT_USERNAME and the password in ' +
        'the OS keychain with `plainview secrets set mqtt-password`; or, if IT accepts a password in the URL, set ' +
        `${keys.allowUrlPassword.env}=true (policy key "allowUrlPassword").`,
    );
  }
  const lockedByPolicy = Object.keys(sources[0]!.values) as ConfigKey[];
  return { config, provenance, lockedByPolicy, warnings };
}
