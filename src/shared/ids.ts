import { z } from 'zod';

/** Valve ids as the field names them: a letter prefix, a dash and a number (v-101). */
export const ValveId = z.string().regex(/^[a-z]+-\d{1,6}$/, 'valve id must look like v-101');
export type ValveId = z.infer<typeof ValveId>;

/** Site, station and segment ids travel in MQTT topics, so they must be topic-safe. */
export const TopicSafeId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, dot, dash and underscore only');

/** ISO-8601 UTC timestamp as stored and sent (2026-11-25T19:44:24.123Z). */
export const Timestamp = z.iso.datetime({ offset: false });
