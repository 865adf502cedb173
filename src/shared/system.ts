import { z } from 'zod';
import { IngestCounters, LinkFacts, LinkState } from './field';
import { Health } from './health';
import { UpdateStatus } from './update';

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  siteId: z.string(),
  stationId: z.string(),
  schemaVersion: z.number().int(),
  /** True when the station runs the built-in DEMO / training site: the console must say so. */
  demo: z.boolean(),
  dataDir: z.string(),
  /** What start-up did about the data folder's permissions (made private, or a warning); null: nothing to say. */
  dataFolderNote: z.string().nullable(),
  /** Whether the console sounds alarms (`alarmSound`; the horn obeys it). */
  alarmSound: z.boolean(),
  /** Versions of the runtime the main process runs in (electron is absent when headless). */
  runtime: z.object({
    node: z.string(),
    electron: z.string().optional(),
    platform: z.string(),
    arch: z.string(),
  }),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const ApiStatus = z.object({
  enabled: z.boolean(),
  listening: z.array(z.string()),
  /** Why it does not listen (or not everywhere it should): a port in use, say. */
  error: z.string().nullable(),
  requests: z.number().int(),
  refused: z.record(z.string(), z.number().int()),
  streams: z.number().int(),
});
export type ApiStatus = z.infer<typeof ApiStatus>;

/** Everything the System view shows, in one call. */
export const SystemStatus = z.object({
  health: Health,
  info: AppInfo,
  link: LinkState,
  /** The MQTT version in use, what the broker refuses (by topic), security warnings. */
  linkFacts: LinkFacts,
  ingest: IngestCounters,
  database: z.object({
    sizeBytes: z.number(),
    schemaVersion: z.number().int(),
    lastBackupAt: z.string().nullable(),
  }),
  outboxUnsent: z.number().int(),
  connectionAttempts: z.number().int(),
  /** The loopback HTTP API: where it listens, what it served and refused (docs/api.md). */
  api: ApiStatus,
  /** Automatic updates: channel, state, download progress, the version waiting to install. */
  update: UpdateStatus,
});
export type SystemStatus = z.infer<typeof SystemStatus>;
