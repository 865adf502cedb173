import { z } from 'zod';
import { TopicSafeId } from './ids';

export const Site = z.object({
  id: TopicSafeId,
  name: z.string().min(1).max(200),
  /** A DEMO / training site runs on the simulator; the console must never let it pass as real. */
  demo: z.boolean(),
});
export type Site = z.infer<typeof Site>;

export const Segment = z.object({
  id: TopicSafeId,
  siteId: TopicSafeId,
  name: z.string().min(1).max(200),
  /** Order along the pipeline, used to draw the schematic. */
  seq: z.number().int(),
});
export type Segment = z.infer<typeof Segment>;
