import { z } from 'zod';

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  siteId: z.string(),
  stationId: z.string(),
  schemaVersion: z.number().int(),
  /** True when the station runs the built-in DEMO / training site: the console must say so. */
  demo: z.boolean(),
  dataDir: z.string(),
  /** Versions of the runtime the main process runs in (electron is absent when headless). */
  runtime: z.object({
    node: z.string(),
    electron: z.string().optional(),
    platform: z.string(),
    arch: z.string(),
  }),
});
export type AppInfo = z.infer<typeof AppInfo>;
