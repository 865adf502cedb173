import { z } from 'zod';
import { ActuationCommand } from './actuation';
import { Alarm } from './alarms';
import { Incident } from './incidents';

/** A shift handover report (its content is what the shift hands over). */
export const HandoverReport = z.object({
  id: z.string(),
  site: z.string(),
  station: z.string(),
  outgoing: z.string(),
  incoming: z.string().nullable(),
  notes: z.string(),
  signedOffAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  shiftStart: z.string(),
  shiftEnd: z.string(),
  createdAt: z.string(),
  content: z.object({
    shiftStart: z.string(),
    shiftEnd: z.string(),
    standingAlarms: z.array(Alarm),
    shelvedAlarms: z.array(Alarm),
    openIncidents: z.array(Incident),
    commands: z.array(ActuationCommand),
    dataQuality: z.object({ link: z.string(), staleValves: z.array(z.string()), badValves: z.array(z.string()) }),
    /** The station's audit chain head when the report was signed off (none on older reports). */
    auditHead: z
      .object({ station: z.string(), seq: z.number().int().nonnegative(), hash: z.string() })
      .nullable()
      .optional(),
  }),
});
export type HandoverReport = z.infer<typeof HandoverReport>;
