import { z } from 'zod';
import { ActuationCommand, CommandHistory, SelectInput, Selection } from '../actuation';
import { Alarm, AlarmMetrics, JournalEntry } from '../alarms';
import { AuditEntry } from '../audit';
import { Health } from '../health';
import { HandoverReport } from '../handover';
import { Incident, IncidentDetail, IncidentSeverity, IncidentStatus, NewIncident } from '../incidents';
import { DefinitionChange, DefinitionList, DefinitionSet } from '../limits';
import { MIN_SECRET, OperatorRole, OperatorSession, OperatorView } from '../operators';
import { resultOf } from '../refusal';
import { SiteView } from '../site';
import { FleetEntry } from '../fleet';
import { FieldBrowser } from '../sparkplug';
import { AppInfo, SystemStatus } from '../system';
import { PointView, Trend, TrendRange } from '../telemetry';
import { UpdateInstalling, UpdateStatus } from '../update';
import { Valve, ValveDetail } from '../valves';
import type { ChannelName } from './channels';

export interface ChannelSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  description: string;
}

const NoInput = z.undefined();
/** Ids the renderer sends back are bounded: an id is never a megabyte. */
const Id = z.string().min(1).max(128);
/** A new password or PIN (at least MIN_SECRET characters; sign-on takes what was set before). */
const OperatorName = z.string().min(1).max(64);
const Secret = z.string().min(MIN_SECRET).max(256);

/**
 * The IPC contract, written once. Main registers a handler for each entry and validates
 * input and output against it; the preload exposes one method per entry; the renderer's
 * types come from it. Later issues add channels here and nowhere else.
 */
export const contract = {
  'health.get': {
    input: NoInput,
    output: Health,
    description: 'Health of the station: database, MQTT link and event bus.',
  },
  'app.info': {
    input: NoInput,
    output: AppInfo,
    description: 'Version, site, station and runtime facts for the frame and the System view.',
  },
  'site.get': {
    input: NoInput,
    output: SiteView.nullable(),
    description: 'The site description (name, DEMO flag, segments in pipeline order); null until known.',
  },
  'valves.list': {
    input: NoInput,
    output: z.array(Valve),
    description: 'Every valve of the site with its latest state and quality.',
  },
  'valves.get': {
    input: z.object({ id: Id }),
    output: ValveDetail.nullable(),
    description: 'One valve and the points that belong to it or to its segment; null if unknown.',
  },
  'points.list': {
    input: NoInput,
    output: z.array(PointView),
    description: 'Every telemetry point with its latest value and quality.',
  },
  'trends.get': {
    input: z.object({ pointId: Id, range: TrendRange }),
    output: Trend,
    description: 'A trend of one point from the store: raw samples for 1 h, one-minute rollups for 24 h and 7 d.',
  },
  'trends.between': {
    input: z
      .object({ pointId: Id, from: z.number().int().nonnegative(), to: z.number().int().nonnegative() })
      .refine((r) => r.from < r.to && r.to - r.from <= 400 * 86_400_000, {
        message: 'from must be before to, at most 400 days apart',
        path: ['to'],
      }),
    output: Trend,
    description:
      'A trend of one point between two times (epoch ms): raw samples up to two hours, one-minute rollups beyond.',
  },
  'system.status': {
    input: NoInput,
    output: SystemStatus,
    description: 'Health, link state and backoff, ingest counters, database size and last backup, version.',
  },
  'sparkplug.browse': {
    input: NoInput,
    output: FieldBrowser,
    description:
      "The field browser: every Sparkplug B edge node, device and metric the station's host has heard, with value, type, quality (GOOD/STALE) and last update.",
  },
  'fleet.list': {
    input: NoInput,
    output: z.array(FleetEntry),
    description:
      "Every station and gateway of the site this station has heard on the broker: online or offline, last seen, a station's version, schema, update channel, demo flag, health and last backup, and whether it is behind the newest version seen.",
  },
  'actuation.select': {
    input: SelectInput,
    output: Selection,
    description:
      'Select a valve action: every check runs; the answer is a selection valid for a short time, or a refusal with its reason.',
  },
  'actuation.operate': {
    input: z.object({ selectionId: z.uuid() }),
    output: ActuationCommand,
    description:
      'Operate a selection: checks again, audits, then sends the command once (QoS 1, never retained, expiring).',
  },
  'actuation.cancel': {
    input: z.object({ selectionId: z.uuid() }),
    output: z.object({ cancelled: z.boolean() }),
    description: 'Drop a selection without sending anything.',
  },
  'commands.list': {
    input: z.object({ valveId: Id.optional(), limit: z.number().int().min(1).max(1000).default(100) }),
    output: z.array(ActuationCommand),
    description: "This station's valve commands, newest first, for one valve or all.",
  },
  'commands.history': {
    input: z.object({ id: z.uuid() }),
    output: CommandHistory.nullable(),
    description: 'One command with every step of its lifecycle.',
  },
  'operator.session': {
    input: NoInput,
    output: OperatorSession,
    description: 'Who is operating this console, with which role, and whether sign-on is required.',
  },
  'operator.signOn': {
    input: z.object({ username: z.string().min(1).max(64), secret: z.string().min(1).max(256) }),
    output: OperatorSession,
    description: 'Sign on with a station account (password or PIN); failures are audited and lock the account after 5.',
  },
  'operator.signOff': {
    input: NoInput,
    output: OperatorSession,
    description: 'Sign the operator off this console.',
  },
  'operator.activity': {
    input: NoInput,
    output: z.null(),
    description: 'The operator used the console (keyboard or pointer): postpones the idle lock.',
  },
  'operators.list': {
    input: NoInput,
    output: z.array(OperatorView),
    description:
      "The site's operator accounts as this station holds them: role, disabled, locked here, the latest change (who, where, when). Supervisors only.",
  },
  'operators.create': {
    input: z.object({
      username: OperatorName,
      displayName: z.string().min(1).max(200),
      role: OperatorRole,
      secret: Secret,
    }),
    output: OperatorView,
    description:
      'A supervisor creates an operator account with its first password or PIN (hashed; never sent): it reaches every station of the site, audited on each.',
  },
  'operators.disable': {
    input: z.object({ username: OperatorName }),
    output: OperatorView,
    description:
      'A supervisor disables an account on every station: it ends the operator’s session where they are signed on, and wins over any change made without seeing it.',
  },
  'operators.enable': {
    input: z.object({ username: OperatorName }),
    output: OperatorView,
    description: 'A supervisor enables a disabled account again, on every station.',
  },
  'operators.reset': {
    input: z.object({ username: OperatorName, secret: Secret }),
    output: OperatorView,
    description:
      "A supervisor sets an operator's new password or PIN (hashed; never sent) on every station; it lifts a lock-out.",
  },
  'audit.list': {
    input: z.object({
      since: z.string().optional(),
      until: z.string().optional(),
      actor: z.string().max(64).optional(),
      action: z.string().max(64).optional(),
      limit: z.number().int().min(1).max(5000).default(500),
      /** The newest `limit` entries (still returned oldest first) rather than the oldest. */
      newest: z.boolean().default(false),
    }),
    output: z.array(AuditEntry),
    description: 'The audit log, filtered, oldest first; with `newest`, the latest entries.',
  },
  'alarms.list': {
    input: NoInput,
    output: z.array(Alarm),
    description: 'Every alarm of the site, newest first (shelved ones have shelvedUntil in the future).',
  },
  'alarms.journal': {
    input: z.object({ id: Id }),
    output: z.array(JournalEntry),
    description: 'Every transition of one alarm, in order: who, when and why.',
  },
  'alarms.metrics': {
    input: NoInput,
    output: AlarmMetrics,
    description: 'Alarms in the last 10 minutes (flood above 10), standing, shelved and chattering alarms.',
  },
  'alarms.acknowledge': {
    input: z.object({ ids: z.array(Id).min(1).max(500) }),
    output: z.array(resultOf(Alarm)),
    description: 'Acknowledge one alarm, or all visible ones: one result per alarm, in the order asked.',
  },
  'alarms.shelve': {
    input: z.object({
      id: Id,
      minutes: z
        .number()
        .positive()
        .max(7 * 24 * 60),
      reason: z.string().min(1).max(500),
    }),
    output: Alarm,
    description: 'Shelve an alarm with a reason and an expiry (operators up to a limit, longer needs a supervisor).',
  },
  'alarms.unshelve': {
    input: z.object({ id: Id }),
    output: Alarm,
    description: 'Return a shelved alarm before its expiry.',
  },
  'alarms.resolve': {
    input: z.object({ id: Id, note: z.string().min(1).max(2000) }),
    output: Alarm,
    description: 'Close a cleared alarm with a note.',
  },
  'limits.definitions': {
    input: NoInput,
    output: DefinitionSet,
    description: "The site's alarm definitions in force (the master alarm database), with their version.",
  },
  'limits.history': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(100) }),
    output: z.array(DefinitionChange),
    description: 'Management-of-change records of the alarm definitions, newest first: who, when, why, what changed.',
  },
  'limits.change': {
    input: z.object({ definitions: DefinitionList, reason: z.string().min(1).max(1000) }),
    output: DefinitionSet,
    description:
      'A supervisor replaces the alarm definitions (the whole list) with a reason: a new version, audited and sent to every station.',
  },
  'incidents.list': {
    input: z.object({ status: IncidentStatus.optional() }),
    output: z.array(Incident),
    description: 'Incidents, newest first, optionally of one status.',
  },
  'incidents.get': {
    input: z.object({ id: Id }),
    output: IncidentDetail.nullable(),
    description: 'One incident with its timeline and its linked valves and alarms.',
  },
  'incidents.create': {
    input: NewIncident,
    output: Incident,
    description: 'Open an incident.',
  },
  'incidents.update': {
    input: z.object({
      id: Id,
      status: IncidentStatus.optional(),
      severity: IncidentSeverity.optional(),
      assignee: z.string().max(64).nullable().optional(),
      title: z.string().min(1).max(200).optional(),
      description: z.string().max(10_000).optional(),
      reason: z.string().max(500).optional(),
    }),
    output: Incident,
    description: 'Change status (stepping back or reopening needs a reason), severity, assignee, title or description.',
  },
  'incidents.note': {
    input: z.object({ id: Id, text: z.string().min(1).max(5000) }),
    output: Incident,
    description: "Add a note to an incident's timeline.",
  },
  'handover.list': {
    input: NoInput,
    output: z.array(HandoverReport),
    description: 'Shift handover reports, newest first.',
  },
  'handover.prepare': {
    input: NoInput,
    output: HandoverReport,
    description: 'Generate the handover report of the shift ending now, for the operator at this console.',
  },
  'handover.signOff': {
    input: z.object({ id: Id, notes: z.string().max(10_000).default('') }),
    output: HandoverReport,
    description: 'The outgoing operator signs the report off, with notes.',
  },
  'handover.acknowledge': {
    input: z.object({ id: Id }),
    output: HandoverReport,
    description: 'The incoming operator acknowledges a signed-off report.',
  },
  'handover.html': {
    input: z.object({ id: Id }),
    output: z.string().nullable(),
    description: 'The report as a self-contained HTML file to keep.',
  },
  'update.check': {
    input: NoInput,
    output: UpdateStatus,
    description: 'Check the update server now (when updates are on and configured); the update status after the check.',
  },
  'update.install': {
    input: NoInput,
    output: UpdateInstalling,
    description:
      "The operator's consent to install the downloaded update: audited, then the console quits, installs and restarts. Refused when nothing is downloaded or for a viewer.",
  },
} satisfies Record<ChannelName, ChannelSpec>;

export type Contract = typeof contract;
/** What a caller passes (defaults may be left out). */
export type ChannelInput<C extends ChannelName> = z.input<Contract[C]['input']>;
/** What a handler receives: the input after validation, defaults filled in. */
export type ChannelArgs<C extends ChannelName> = z.output<Contract[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Contract[C]['output']>;
