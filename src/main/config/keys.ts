import fs from 'node:fs';
import { z } from 'zod';
import { TopicSafeId } from '../../shared/domain/ids';

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

export interface KeySpec {
  /** The environment variable (and .env) name. */
  env: `PLAINVIEW_${string}`;
  schema: z.ZodType;
  /** What an IT admin reads in .env.example and DEPLOYMENT.md. */
  doc: string;
  /** Shown in .env.example; defaults that depend on the machine are described in `doc`. */
  example: string;
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
    doc: 'Where the database, backups and logs live. Default: the OS app-data folder (Linux ~/.config/Plainview, macOS ~/Library/Application Support/Plainview, Windows %APPDATA%\\Plainview).',
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
    doc: 'Size at which the log file rotates (one previous file is kept as main.old.log).',
    example: '10485760',
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
    doc: 'The site broker (mqtt://, mqtts://, ws://, wss://). Unset: the station runs the built-in DEMO / training site on an embedded broker.',
    example: '',
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
    schema: z.coerce.number().pipe(z.union([z.literal(4), z.literal(5)])),
    doc: '5 (MQTT 5: message expiry on valve commands) or 4 (MQTT 3.1.1) for brokers without MQTT 5.',
    example: '5',
  },
  staleAfterSec: {
    env: 'PLAINVIEW_STALE_AFTER_SEC',
    schema: PositiveNumber,
    doc: 'A value not refreshed for this long is shown stale, unless its point sets its own threshold.',
    example: '30',
  },
  rawRetentionDays: {
    env: 'PLAINVIEW_RAW_RETENTION_DAYS',
    schema: PositiveNumber,
    doc: 'Days raw telemetry samples are kept.',
    example: '7',
  },
  rollupRetentionDays: {
    env: 'PLAINVIEW_ROLLUP_RETENTION_DAYS',
    schema: PositiveNumber,
    doc: 'Days one-minute telemetry rollups (min, max, mean, last) are kept.',
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
} satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof keys;
