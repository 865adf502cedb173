import { z } from 'zod';
import { AppInfo } from './app-info';
import { IngestCounters, LinkState } from './field';
import { Health } from './health';

/** Everything the System view shows, in one call. */
export const SystemStatus = z.object({
  health: Health,
  info: AppInfo,
  link: LinkState,
  ingest: IngestCounters,
  database: z.object({
    sizeBytes: z.number(),
    schemaVersion: z.number().int(),
    lastBackupAt: z.string().nullable(),
  }),
  outboxUnsent: z.number().int(),
  connectionAttempts: z.number().int(),
});
export type SystemStatus = z.infer<typeof SystemStatus>;
