import fs from 'node:fs';
import { z } from 'zod';
import { TopicSafeId } from '../../shared/ids';
import { OperatorRole } from '../../shared/operators';
import { isSecureUpdateUrl } from './url';

export const LogLevel = z.enum(['error', 'warn', 'info', 'debug', 'trace']);
export type LogLevel = z.infer<typeof LogLevel>;

/** Env-style booleans: true/false, 1/0, yes/no, on/off. */
const Flag = z.union([
  z.boolean(),
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v)),
]);

const PositiveNumber = z.coerce.number().positive().finite();
/** An optional value: unset (or empty) means off or "use the default". */
const Optional = <T extends z.ZodType>(schema: T) => z.union([z.null(), schema]);
const BrokerUrl = z
  .string()
  .trim()
  .refine(
    (u) => /^(mqtts?|wss?):\/\/[^/]/.test(u) && URL.canParse(u),
    'must be a URL starting with mqtt://, mqtts://, ws:// or wss://',
  );
const FilePath = z
  .string()
  .trim()
  .min(1)
  .refine((p) => fs.existsSync(p), 'no such file');
const PositiveInt = z.coerce.number().int().positive();
/** A comma-separated list in the environment, an array in JSON files; empty means none. */
const List = <T extends z.ZodType<string, string>>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : v,
    z.array(item),
  );
/** Loopback only: a local API on an operator's workstation is never reachable from the network. */
const LoopbackAddress = z.enum(['127.0.0.1', '::1'], {
  error: 'the API binds to loopback only: 127.0.0.1 and/or ::1',
});
const WebOrigin = z
  .string()
  .trim()
  .refine((o) => URL.canParse(o) && new URL(o).origin === o, 'must be an origin such as http://localhost:5173');

export interface KeySpec {
  /** The environment variable (and .env) name. */
  env: `PLAINVIEW_${string}`;
  schema: z.ZodType;
  /** What an IT admin reads in .env.example and DEPLOYMENT.md. */
  doc: string;
  /** Shown in .env.example; defaults that depend on the machine are described in `doc`. */
  example: string;
  /**
   * The only sources that may set the key; unset: any. A value from another source is ignored
   * with a warning (the update server must not be chosen by a user's environment or settings).
   */
  sources?: readonly ('policy' | 'env' | '.env file' | 'settings')[];
  /** A secret or a value that may carry one: `plainview config show` masks it. */
  secret?: 'mask' | 'url';
}

/**
 * Every configuration key, once. The policy file and the user's settings use the property
 * names (`logLevel`), the environment uses `env` (`PLAINVIEW_LOG_LEVEL`). Later issues add
 * the MQTT, API and update keys here.
 */
export const keys = {
  dataDir: {
    env: 'PLAINVIEW_DATA_DIR',
    schema: z.string().trim().min(1),
    doc: 'Where the database, backups and logs live, private to the account (0700/0600; an ACL on Windows). Default: Linux ~/.config/Plainview, macOS ~/Library/Application Support/Plainview, Windows %LOCALAPPDATA%\\Plainview. May contain ${user} or %USERNAME% (the account name), ${home} or %USERPROFILE%, %LOCALAPPDATA% (Windows), so one policy gives each user a folder: D:\\Plainview\\${user}.',
    example: '',
  },
  siteId: {
    env: 'PLAINVIEW_SITE_ID',
    schema: TopicSafeId,
    doc: 'The pipeline site this station belongs to (letters, digits, dot, dash, underscore).',
    example: 'demo',
  },
  stationId: {
    env: 'PLAINVIEW_STATION_ID',
    schema: TopicSafeId,
    doc: "This workstation's id on the site. Default: the host name.",
    example: '',
  },
  logLevel: {
    env: 'PLAINVIEW_LOG_LEVEL',
    schema: z.string().trim().toLowerCase().pipe(LogLevel),
    doc: 'error, warn, info, debug or trace.',
    example: 'info',
  },
  jsonLogging: {
    env: 'PLAINVIEW_JSON_LOGGING',
    schema: Flag,
    doc: 'true: one JSON object per log line (for log shippers); false: human-readable lines.',
    example: 'false',
  },
  logMaxBytes: {
    env: 'PLAINVIEW_LOG_MAX_BYTES',
    schema: PositiveInt,
    doc: 'Size at which logs/main.log rotates to main.1.log (the older ones move up to main.2.log, …).',
    example: '10485760',
  },
  logFiles: {
    env: 'PLAINVIEW_LOG_FILES',
    schema: z.coerce.number().int().min(1).max(100),
    doc: 'Rotated log files kept besides main.log (main.1.log is the newest), 1 to 100.',
    example: '10',
  },
  logMaxTotalBytes: {
    env: 'PLAINVIEW_LOG_MAX_TOTAL_BYTES',
    schema: PositiveInt,
    doc: 'The most all log files may take together; at a rotation the oldest go first (main.log and main.1.log always stay).',
    example: '104857600',
  },
  backupIntervalHours: {
    env: 'PLAINVIEW_BACKUP_INTERVAL_HOURS',
    schema: PositiveNumber,
    doc: 'How often the station takes an online backup of its database.',
    example: '6',
  },
  backupKeep: {
    env: 'PLAINVIEW_BACKUP_KEEP',
    schema: PositiveInt,
    doc: 'How many backups are kept in <data dir>/backups; older ones are deleted.',
    example: '10',
  },
  mqttUrl: {
    env: 'PLAINVIEW_MQTT_URL',
    schema: Optional(BrokerUrl),
    doc: 'The site broker (mqtt://, mqtts://, ws://, wss://). Unset: the station runs the built-in DEMO / training site on an embedded broker, unless requirePolicy (or a policy file) refuses it.',
    example: '',
    secret: 'url',
  },
  requirePolicy: {
    env: 'PLAINVIEW_REQUIRE_POLICY',
    schema: Flag,
    doc: "true: a production station: without a broker (mqttUrl) it refuses to start the simulated DEMO site and stops with exit code 2, and it needs IT's policy file. Policy file or environment only (an installer may set it machine-wide). Always true when a policy file is present.",
    example: 'false',
    sources: ['policy', 'env'],
  },
  mqttUsername: {
    env: 'PLAINVIEW_MQTT_USERNAME',
    schema: Optional(z.string().min(1).max(256)),
    doc: 'Broker user name. The password is never configured here: `plainview secrets set mqtt-password` puts it in the OS keychain.',
    example: '',
  },
  mqttCaFile: {
    env: 'PLAINVIEW_MQTT_CA_FILE',
    schema: Optional(FilePath),
    doc: "PEM file of the CA that signed the broker's certificate (mqtts:// and wss://).",
    example: '',
  },
  mqttCertFile: {
    env: 'PLAINVIEW_MQTT_CERT_FILE',
    schema: Optional(FilePath),
    doc: 'PEM client certificate, for brokers that authenticate stations by certificate.',
    example: '',
  },
  mqttKeyFile: {
    env: 'PLAINVIEW_MQTT_KEY_FILE',
    schema: Optional(FilePath),
    doc: 'PEM private key of the client certificate; its passphrase, if any, is the keychain secret mqtt-key-passphrase.',
    example: '',
  },
  mqttKeepaliveSec: {
    env: 'PLAINVIEW_MQTT_KEEPALIVE_SEC',
    schema: z.coerce.number().int().min(2).max(15),
    doc: 'MQTT keepalive in seconds (2 to 15): a dead link is noticed within about 1.5 times this.',
    example: '10',
  },
  mqttProtocolVersion: {
    env: 'PLAINVIEW_MQTT_PROTOCOL_VERSION',
    schema: z.union([
      z.string().trim().toLowerCase().pipe(z.literal('auto')),
      z.coerce.number().pipe(z.union([z.literal(4), z.literal(5)])),
    ]),
    doc: 'auto (try MQTT 5, fall back to MQTT 3.1.1 when the broker refuses it, and keep what worked), 5 (MQTT 5 only: message expiry on valve commands, reason codes for refusals) or 4 (MQTT 3.1.1 only).',
    example: 'auto',
  },
  allowUrlPassword: {
    env: 'PLAINVIEW_ALLOW_URL_PASSWORD',
    schema: Flag,
    doc: 'true: accept a password inside PLAINVIEW_MQTT_URL (mqtt://user:password@host). Off: such a URL stops start-up; the password belongs in the OS keychain (`plainview secrets set mqtt-password`).',
    example: 'false',
  },
  allowPlaintextPassword: {
    env: 'PLAINVIEW_ALLOW_PLAINTEXT_PASSWORD',
    schema: Flag,
    doc: 'true: the broker password may be sent over plain mqtt:// or ws:// (an isolated network IT vouches for), without a warning. Off: a station that would send it unencrypted to another machine does not start (exit 2); to this machine it warns at start, in health and in the System view. Policy file only.',
    example: 'false',
    sources: ['policy'],
  },
  sparkplugUsername: {
    env: 'PLAINVIEW_SPARKPLUG_USERNAME',
    schema: Optional(z.string().min(1).max(256)),
    doc: "The Sparkplug host's own broker account (the one `plainview broker acl --sparkplug` makes); its password is the keychain's `sparkplug-password`. Unset: the host connects with the station's account.",
    example: '',
  },
  sparkplugHostId: {
    env: 'PLAINVIEW_SPARKPLUG_HOST_ID',
    schema: Optional(
      z
        .string()
        .trim()
        .min(1)
        .max(64)
        .regex(/^[^/+#\s]+$/, 'a Sparkplug host id has no /, +, # or spaces'),
    ),
    doc: "This station's Sparkplug B host id, unique on the broker (docs/sparkplug.md). Unset: the station runs no Sparkplug host.",
    example: '',
  },
  sparkplugPrimaryHost: {
    env: 'PLAINVIEW_SPARKPLUG_PRIMARY_HOST',
    schema: Flag,
    doc: "true: this station is the site's Primary Host Application: it publishes its STATE birth and death on spBv1.0/STATE/<host id>, which edge nodes configured with that id wait for.",
    example: 'false',
  },
  sparkplugGroups: {
    env: 'PLAINVIEW_SPARKPLUG_GROUPS',
    schema: List(
      z
        .string()
        .trim()
        .min(1)
        .max(128)
        .regex(/^[^/+#]+$/, 'a Sparkplug group id has no /, + or #'),
    ),
    doc: 'Comma-separated Sparkplug group ids the host subscribes to (spBv1.0/<group>/#); empty: every group (spBv1.0/#).',
    example: '',
  },
  sparkplugReorderTimeoutMs: {
    env: 'PLAINVIEW_SPARKPLUG_REORDER_TIMEOUT_MS',
    schema: z.coerce.number().int().min(0).max(60_000),
    doc: 'How long (ms) a missing Sparkplug seq may take to arrive before the host asks the edge node to rebirth; 0: at once.',
    example: '2000',
  },
  sparkplugMappingFile: {
    env: 'PLAINVIEW_SPARKPLUG_MAPPING_FILE',
    schema: Optional(FilePath),
    doc: 'JSON file mapping Sparkplug devices to valves and metrics to points (docs/sparkplug.md). Unset: every metric is in the field browser only.',
    example: '',
  },
  staleAfterSec: {
    env: 'PLAINVIEW_STALE_AFTER_SEC',
    schema: PositiveNumber,
    doc: 'A value not refreshed for this long is shown stale, unless its point sets its own threshold.',
    example: '30',
  },
  acceptV1: {
    env: 'PLAINVIEW_PROTOCOL_V1',
    schema: Flag,
    doc: 'true: also take gateways speaking Plainview protocol v1 and send their valves commands on v1 topics, for a transition to v2 (docs/protocol.md, "Migrating from v1"); v1 topics carry no gateway id, so a broker cannot keep v1 gateways apart. Off once every gateway speaks v2.',
    example: 'false',
  },
  rawRetentionDays: {
    env: 'PLAINVIEW_RAW_RETENTION_DAYS',
    schema: PositiveNumber,
    doc: 'Days raw telemetry samples are kept.',
    example: '7',
  },
  minuteRetentionDays: {
    env: 'PLAINVIEW_MINUTE_RETENTION_DAYS',
    schema: PositiveNumber,
    doc: 'Days one-minute telemetry rollups (min, max, mean, last) are kept: at least a day longer than raw samples, at most as long as one-hour rollups. Trends over older times draw one-hour rollups.',
    example: '35',
  },
  rollupRetentionDays: {
    env: 'PLAINVIEW_ROLLUP_RETENTION_DAYS',
    schema: PositiveNumber,
    doc: 'Days one-hour telemetry rollups (min, max, mean, last), the long record, are kept.',
    example: '400',
  },
  statusIntervalSec: {
    env: 'PLAINVIEW_STATUS_INTERVAL_SEC',
    schema: PositiveNumber,
    doc: 'How often the station logs a one-line field status (link, values by quality, messages rejected and dropped).',
    example: '60',
  },
  ingestQueueMax: {
    env: 'PLAINVIEW_INGEST_QUEUE_MAX',
    schema: PositiveInt,
    doc: 'Most telemetry samples waiting to be written; beyond it the oldest samples are dropped, counted and reported in health.',
    example: '200000',
  },
  selectionTimeoutSec: {
    env: 'PLAINVIEW_SELECTION_TIMEOUT_SEC',
    schema: z.coerce.number().int().min(5).max(300),
    doc: 'How long a valve selection stays valid for operate (select-before-operate), 5 to 300 s.',
    example: '30',
  },
  commandExpirySec: {
    env: 'PLAINVIEW_COMMAND_EXPIRY_SEC',
    schema: z.coerce.number().int().min(2).max(120),
    doc: 'A valve command expires this long after it is issued: the field refuses it after, and the station times it out if not accepted by then.',
    example: '10',
  },
  completionTimeoutSec: {
    env: 'PLAINVIEW_COMPLETION_TIMEOUT_SEC',
    schema: z.coerce.number().int().min(5).max(3600),
    doc: 'An accepted command that has not completed after this long is marked timed out.',
    example: '120',
  },
  actuationsPerMinute: {
    env: 'PLAINVIEW_ACTUATIONS_PER_MINUTE',
    schema: PositiveInt,
    doc: 'Valve commands this station may send in any 60 seconds (a sliding window).',
    example: '10',
  },
  valveCooldownSec: {
    env: 'PLAINVIEW_VALVE_COOLDOWN_SEC',
    schema: z.coerce.number().min(0).max(3600),
    doc: 'Least time between two commands to the same valve.',
    example: '5',
  },
  incidentMutationsPerMinute: {
    env: 'PLAINVIEW_INCIDENT_MUTATIONS_PER_MINUTE',
    schema: PositiveInt,
    doc: 'Incident and alarm changes this station may make per minute.',
    example: '20',
  },
  shelveOperatorMaxMin: {
    env: 'PLAINVIEW_SHELVE_OPERATOR_MAX_MIN',
    schema: PositiveNumber,
    doc: 'Longest an operator may shelve an alarm; longer needs a supervisor (up to 7 days).',
    example: '60',
  },
  operatorSignOn: {
    env: 'PLAINVIEW_OPERATOR_SIGN_ON',
    schema: Flag,
    doc: 'true: operators sign on with their own station account (see `plainview operators`); false: the signed-in OS account is the operator.',
    example: 'false',
  },
  osAccountRole: {
    env: 'PLAINVIEW_OS_ACCOUNT_ROLE',
    schema: OperatorRole,
    doc: 'The role of the OS account when sign-on is off: viewer, operator or supervisor.',
    example: 'operator',
  },
  idleLockMin: {
    env: 'PLAINVIEW_IDLE_LOCK_MIN',
    schema: PositiveNumber,
    doc: 'With sign-on, the console signs the operator off after this many idle minutes.',
    example: '15',
  },
  apiEnabled: {
    env: 'PLAINVIEW_API_ENABLED',
    schema: Flag,
    doc: 'true: serve the loopback HTTP API for local integrations (docs/api.md). Off by default.',
    example: 'false',
  },
  apiPort: {
    env: 'PLAINVIEW_API_PORT',
    schema: z.coerce.number().int().min(1).max(65_535),
    doc: 'The port of the loopback HTTP API.',
    example: '4000',
  },
  apiBind: {
    env: 'PLAINVIEW_API_BIND',
    schema: List(LoopbackAddress).refine((l) => l.length > 0, 'name at least one of 127.0.0.1 and ::1'),
    doc: 'Addresses the API listens on, comma-separated: 127.0.0.1 and/or ::1. Any other address is refused at start-up.',
    example: '127.0.0.1',
  },
  corsOrigins: {
    env: 'PLAINVIEW_CORS_ORIGINS',
    schema: List(WebOrigin),
    doc: 'Web origins (comma-separated) whose pages may call the API. Empty: no CORS headers, and any request with an Origin header is refused.',
    example: '',
  },
  apiRequestsPerMinute: {
    env: 'PLAINVIEW_API_REQUESTS_PER_MINUTE',
    schema: PositiveInt,
    doc: 'Requests each API key (or client without a key) may make per minute.',
    example: '100',
  },
  apiMutationsPerMinute: {
    env: 'PLAINVIEW_API_MUTATIONS_PER_MINUTE',
    schema: PositiveInt,
    doc: 'Incident and alarm change requests per minute per API key.',
    example: '20',
  },
  apiActuationsPerMinute: {
    env: 'PLAINVIEW_API_ACTUATIONS_PER_MINUTE',
    schema: PositiveInt,
    doc: 'Actuation requests (select and confirm each count) per minute per API key.',
    example: '10',
  },
  notifyCritical: {
    env: 'PLAINVIEW_NOTIFY_CRITICAL',
    schema: Flag,
    doc: 'true: a new critical alarm raises an OS notification; clicking it shows the alarm.',
    example: 'true',
  },
  alarmSound: {
    env: 'PLAINVIEW_ALARM_SOUND',
    schema: Flag,
    doc: 'true: a new critical alarm also plays a sound at the console.',
    example: 'true',
  },
  windowMode: {
    env: 'PLAINVIEW_WINDOW_MODE',
    schema: z.enum(['normal', 'fullscreen', 'kiosk']),
    doc: 'normal, fullscreen, or kiosk (full screen that the operator cannot leave).',
    example: 'normal',
  },
  preventDisplaySleep: {
    env: 'PLAINVIEW_PREVENT_DISPLAY_SLEEP',
    schema: Flag,
    doc: 'true: the display does not sleep while the console is open.',
    example: 'false',
  },
  updatesEnabled: {
    env: 'PLAINVIEW_UPDATES_ENABLED',
    schema: Flag,
    doc: 'false: never check for or download updates (IT deploys new versions itself).',
    example: 'true',
  },
  updateUrl: {
    env: 'PLAINVIEW_UPDATE_URL',
    schema: Optional(
      z.string().trim().refine(isSecureUpdateUrl, 'must be an https:// URL (http:// only to this machine, for tests)'),
    ),
    doc: "IT's update server (a folder with latest.yml and the installers), https:// only; unset: no updates. Policy file only: the environment, .env and user settings cannot choose it. A bearer token, if the server needs one, is the keychain secret update-token.",
    example: '',
    sources: ['policy'],
    secret: 'url',
  },
  updateChannel: {
    env: 'PLAINVIEW_UPDATE_CHANNEL',
    schema: z.enum(['stable', 'beta']),
    doc: 'stable, or beta for pilot stations. Policy file only.',
    example: 'stable',
    sources: ['policy'],
  },
} satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof keys;
