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
} satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof keys;
