import { z } from 'zod';
import { ActuationCommand } from './actuation';
import { Alarm } from './alarms';
import { LinkState } from './field';
import { HandoverReport } from './handover';
import { Incident } from './incidents';
import { OperatorSession } from './operators';
import { SiteView } from './site';
import { PointView } from './telemetry';
import { Valve } from './valves';

/**
 * Changes pushed from main to the console, coalesced: one batch carries the latest of
 * every valve and point that changed since the last one, never one message per MQTT message.
 */
export const ConsoleBatch = z.object({
  seq: z.number().int(),
  valves: z.array(Valve),
  points: z.array(PointView),
  link: LinkState.optional(),
  site: SiteView.optional(),
  /** Valve commands of this station that changed state (the actuation panel follows them). */
  commands: z.array(ActuationCommand).optional(),
  /** The operator session, when it changed (sign-on, sign-off, idle lock). */
  session: OperatorSession.optional(),
  /** Alarms that changed (raised, cleared, acknowledged, shelved, resolved), on any console. */
  alarms: z.array(Alarm).optional(),
  /** Incidents that changed, on any console. */
  incidents: z.array(Incident).optional(),
  /** Handover reports prepared, signed off or acknowledged, on any console. */
  handovers: z.array(HandoverReport).optional(),
  /** The operator clicked an alarm notification: show the Alarms view, with this alarm if set. */
  focus: z.object({ alarmId: z.string().nullable() }).optional(),
});
export type ConsoleBatch = z.infer<typeof ConsoleBatch>;
