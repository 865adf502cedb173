import { z } from 'zod';

/**
 * How far a value can be trusted. `stale` is decided by the station (link down, gateway
 * offline, not refreshed in time); `bad` only ever comes from the field.
 */
export const Quality = z.enum(['good', 'uncertain', 'stale', 'bad']);
export type Quality = z.infer<typeof Quality>;
