import { z } from 'zod';
import { IncidentSeverity, IncidentStatus } from '../incidents';
import { HandoverReport } from '../handover';

/**
 * Bodies of station events, one schema per event type (docs/protocol.md, "Station events").
 * A station checks the body before it applies anything: an event of a type it does not know,
 * or with a body that does not match, is rejected and counted like any bad message.
 */

/** A hybrid logical clock timestamp: `001764064800000-0000-ws-1` (src/main/sync/hlc.ts). */
export const HlcStamp = z.string().regex(/^\d{15}-\d{4}-[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'not a clock stamp');

const Actor = z.string().min(1).max(200);
const AlarmId = z.string().min(1).max(128);
const IncidentId = z.string().min(1).max(128);
const Text = z.string().max(10_000);

const alarmBody = <T extends z.ZodRawShape>(extra: T) =>
  z.looseObject({ alarmId: AlarmId, actor: Actor, hlc: HlcStamp, ...extra });
const incidentBody = <T extends z.ZodRawShape>(extra: T) =>
  z.looseObject({ incidentId: IncidentId, actor: Actor, hlc: HlcStamp, ...extra });

const IncidentFields = z
  .object({
    title: z.string().min(1).max(200),
    severity: IncidentSeverity,
    status: IncidentStatus,
    assignee: z.string().max(200).nullable(),
    description: Text,
  })
  .partial()
  .strict();

export const stationEventBodies = {
  'alarm.ack': alarmBody({}),
  'alarm.shelve': alarmBody({ until: z.iso.datetime({ offset: false }), reason: z.string().min(1).max(2_000) }),
  'alarm.unshelve': alarmBody({}),
  'alarm.resolve': alarmBody({ note: Text }),
  'incident.create': incidentBody({
    title: z.string().min(1).max(200),
    severity: IncidentSeverity,
    description: Text,
    segment: z.string().max(64).nullable(),
    valves: z.array(z.string().min(1).max(64)).max(1_000),
    alarms: z.array(AlarmId).max(1_000),
  }),
  'incident.update': incidentBody({ fields: IncidentFields, reason: z.string().max(2_000).nullable() }),
  'incident.note': incidentBody({ text: z.string().min(1).max(10_000) }),
  'handover.signoff': z.looseObject({
    id: z.string().min(1).max(128),
    actor: Actor,
    at: z.iso.datetime({ offset: false }),
    notes: Text,
    report: HandoverReport,
  }),
  'handover.ack': z.looseObject({
    id: z.string().min(1).max(128),
    actor: Actor,
    at: z.iso.datetime({ offset: false }),
    /** The signed report (since the ack can arrive where the sign-off did not). */
    report: HandoverReport.optional(),
  }),
} as const;

export type BodyCheck = { ok: true } | { ok: false; detail: string };

/** Whether an event's body is one this station can apply; `detail` says why not. */
export function checkEventBody(type: string, body: unknown): BodyCheck {
  const schema = (stationEventBodies as Record<string, z.ZodType>)[type];
  if (!schema) return { ok: false, detail: `unknown event type ${type.slice(0, 64)}` };
  const r = schema.safeParse(body);
  if (r.success) return { ok: true };
  const issue = r.error.issues[0];
  return { ok: false, detail: `${type} body: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
}
