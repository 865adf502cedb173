import { z } from 'zod';
import { TopicSafeId } from './ids';

export const Segment = z.object({
  id: TopicSafeId,
  siteId: TopicSafeId,
  name: z.string().min(1).max(200),
  /** Order along the pipeline, used to draw the schematic. */
  seq: z.number().int(),
});
export type Segment = z.infer<typeof Segment>;

export const SiteView = z.object({
  id: z.string(),
  name: z.string(),
  /** DEMO / training site: the console shows a banner nobody can miss. */
  demo: z.boolean(),
  segments: z.array(Segment.pick({ id: true, name: true, seq: true })),
});
export type SiteView = z.infer<typeof SiteView>;
