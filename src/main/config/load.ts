import os from 'node:os';
import type { Logger } from '../log';
import { ConfigError } from './errors';
import { keys, type ConfigKey, type KeySpec } from './keys';
import { defaultDataDir, policyFilePath, settingsFilePath, windowsUserFolders, type DefaultDataDir } from './paths';
import { expandPlaceholders } from './placeholders';
import { isLoopbackUrl, isPlaintextUrl, redactUrl, urlPassword } from './url';
import { parseKey, type Config, type Provenance } from './schema';
import { fromDotEnv, fromEnv, fromJsonFile, type SourceValues } from './sources';

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  policyPath?: string;
  settingsPath?: string;
  hostname?: string;
  /** Where the data folder is by default (tests: a Windows machine's answer). */
  defaultDataDir?: DefaultDataDir;
}

export interface LoadedConfig {
  config: Config;
  provenance: Provenance;
  /** Keys fixed by IT's policy file; the console must not offer to change them. */
  lockedByPolicy: ConfigKey[];
  /** Where each value set by a source came from: the file's path, or the variable's name. */
  origins: Partial<Record<ConfigKey, string>>;
  /** The policy file read, with the SHA-256 of its bytes; null when there is none. */
  policy: { path: string; sha256: string } | null;
  /** Where the policy file is looked for on this machine. */
  policyPath: string;
  warnings: string[];
}

/** A host name made topic-safe, so the default station id is always valid. */
function stationIdFromHost(hostname: string): string {
  const cleaned = hostname.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (cleaned || 'station').slice(0, 64);
}

function defaults(dataDir: string, hostname: string): Config {
  return {
    dataDir,
    siteId: 'demo',
    stationId: stationIdFromHost(hostname),
    logLevel: 'info',
    jsonLogging: false,
    logMaxBytes: 10 * 1024 * 1024,
    logFiles: 10,
    logMaxTotalBytes: 100 * 1024 * 1024,
    backupIntervalHours: 6,
    backupKeep: 10,
    mqttUrl: null,
    requirePolicy: false,
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
    minuteRetentionDays: 35,
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
/**
 * The start-up lines about the configuration: at info the policy file read (its path and
 * SHA-256, so IT can tell which version a station runs) or that there is none; then the
 * warnings; at debug every value with its source.
 */
export function announceConfig(log: Logger, loaded: LoadedConfig): void {
  if (loaded.policy) log.info('policy file read', { policy_file: loaded.policy.path, sha256: loaded.policy.sha256 });
  else log.info('no policy file', { policy_file: loaded.policyPath });
  for (const w of loaded.warnings) log.warn(w);
  log.debug('configuration', { ...loaded.config, sources: loaded.provenance });
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const warnings: string[] = [];
  const policyPath = options.policyPath ?? policyFilePath();
  const fallback = options.defaultDataDir ?? defaultDataDir(process.platform, env);
  const sources = [
    fromJsonFile(policyPath, 'policy', warnings),
    fromEnv(env, 'env', warnings),
    fromDotEnv(options.cwd ?? process.cwd(), warnings),
    fromJsonFile(options.settingsPath ?? settingsFilePath(fallback), 'settings', warnings),
  ];
  const config = defaults(fallback.dir, options.hostname ?? os.hostname());
  const provenance = Object.fromEntries(Object.keys(config).map((k) => [k, 'default'])) as Provenance;
  const writable = config as unknown as Record<ConfigKey, unknown>;
  const origins: Partial<Record<ConfigKey, string>> = {};

  for (const key of Object.keys(keys) as ConfigKey[]) {
    const allowed = (keys[key] as KeySpec).sources;
    const set = sources.filter((s) => s.values[key] !== undefined);
    for (const s of set)
      if (allowed && !(allowed as readonly string[]).includes(s.source))
        warnings.push(`${describe(key, s)} was ignored: "${key}" is taken from ${allowed.join(' or ')} only`);
    const src = set.find((s) => !allowed || (allowed as readonly string[]).includes(s.source));
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
    writable[key] = key === 'dataDir' ? expandDataDir(parsed.data as string, src, env) : parsed.data;
    provenance[key] = src.source;
    origins[key] =
      src.source === 'env'
        ? keys[key].env
        : src.source === '.env file'
          ? `${keys[key].env} in ${src.origin}`
          : src.origin;
  }
  const policy = sources[0]!.sha256 ? { path: policyPath, sha256: sources[0]!.sha256 } : null;
  // IT's policy on this machine makes it a production station, whatever a lower source says.
  if (policy && !config.requirePolicy) {
    config.requirePolicy = true;
    provenance.requirePolicy = 'policy';
    origins.requirePolicy = `${policyPath} (present)`;
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
  plaintextPasswordCheck(config, urlSource);
  if (fallback.roaming && provenance.dataDir === 'default') warnings.push(roamingWarning(fallback.roaming));
  const lockedByPolicy = Object.keys(sources[0]!.values) as ConfigKey[];
  return { config, provenance, lockedByPolicy, origins, policy, policyPath, warnings };
}

/**
 * A broker password never crosses the network unencrypted unless IT's policy says so: a
 * station that would send one over mqtt:// or ws:// to another machine does not start. To
 * this machine (a local broker or a tunnel's end) it stays on the machine: a warning only.
 */
function plaintextPasswordCheck(config: Config, urlSource: SourceValues | undefined): void {
  if (!config.mqttUrl || !urlSource || config.allowPlaintextPassword || !isPlaintextUrl(config.mqttUrl)) return;
  const sendsPassword =
    config.mqttUsername !== null || config.sparkplugUsername !== null || urlPassword(config.mqttUrl) !== null;
  if (!sendsPassword || isLoopbackUrl(config.mqttUrl)) return;
  const host = new URL(config.mqttUrl).hostname;
  const scheme = config.mqttUrl.trim().split(':')[0]!.toLowerCase();
  throw new ConfigError(
    `Invalid configuration: ${describe('mqttUrl', urlSource)} is ${scheme}:// to ${host}: the broker password would ` +
      `cross the network unencrypted. Use ${scheme === 'ws' ? 'wss' : 'mqtts'}:// (TLS), or, if IT accepts it on this ` +
      'network, set "allowPlaintextPassword": true in the policy file.',
  );
}

/** `dataDir` with its placeholders (`${user}`, `%USERNAME%`, …) expanded; an unknown one stops start-up. */
function expandDataDir(value: string, src: SourceValues, env: Record<string, string | undefined>): string {
  try {
    return expandPlaceholders(value, {
      user: () => os.userInfo().username,
      home: () => os.homedir(),
      localAppData: process.platform === 'win32' ? () => windowsUserFolders(env, os.homedir()).localAppData : null,
    });
  } catch (err) {
    throw new ConfigError(
      `Invalid configuration: ${describe('dataDir', src)} is ${JSON.stringify(value)}: ${(err as Error).message}.`,
    );
  }
}

function roamingWarning(dir: string): string {
  return (
    `the data folder is still the roaming ${dir} of an older Plainview: its database and backups travel with ` +
    'the roaming profile. Close Plainview and move the folder to %LOCALAPPDATA%\\Plainview (DEPLOYMENT.md, Data folder)'
  );
}

/**
 * A production station (requirePolicy, or a policy file present) never runs the simulated
 * DEMO site: without a broker it stops with exit code 2 instead of showing a fake field.
 */
export function demoRefusal(config: Config): ConfigError | null {
  if (config.mqttUrl || !config.requirePolicy) return null;
  return new ConfigError(
    'Refusing to start the simulated DEMO site on a production station: requirePolicy is set (or a policy file ' +
      `is present) but no broker is configured. Put "mqttUrl" in IT's policy file (${policyFilePath()}); ` +
      'see DEPLOYMENT.md, Configuration.',
  );
}
