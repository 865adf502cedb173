/**
 * The names of every IPC channel, without their schemas, so the preload can build its
 * methods without bundling zod. `contract.ts` must define exactly these (checked by a test
 * and by the type below).
 */
export const channelNames = [
  'health.get',
  'app.info',
  'site.get',
  'valves.list',
  'valves.get',
  'points.list',
  'trends.get',
  'trends.between',
  'system.status',
  'sparkplug.browse',
  'fleet.list',
  'actuation.select',
  'actuation.operate',
  'actuation.cancel',
  'commands.list',
  'commands.history',
  'operator.session',
  'operator.signOn',
  'operator.signOff',
  'operator.activity',
  'operators.list',
  'operators.create',
  'operators.disable',
  'operators.enable',
  'operators.reset',
  'audit.list',
  'alarms.list',
  'alarms.journal',
  'alarms.metrics',
  'alarms.acknowledge',
  'alarms.shelve',
  'alarms.unshelve',
  'alarms.resolve',
  'limits.definitions',
  'limits.history',
  'limits.change',
  'incidents.list',
  'incidents.get',
  'incidents.create',
  'incidents.update',
  'incidents.note',
  'handover.list',
  'handover.prepare',
  'handover.signOff',
  'handover.acknowledge',
  'handover.html',
  'update.check',
  'update.install',
] as const;
export type ChannelName = (typeof channelNames)[number];

/** The one channel main pushes on: coalesced field changes (see ConsoleBatch). */
export const PUSH_CHANNEL = 'plainview:push';
