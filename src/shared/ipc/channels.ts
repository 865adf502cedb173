/**
 * The names of every IPC channel, without their schemas, so the preload can build its
 * methods without bundling zod. `contract.ts` must define exactly these (checked by a test
 * and by the type below).
 */
export const channelNames = ['health.get', 'app.info'] as const;
export type ChannelName = (typeof channelNames)[number];
