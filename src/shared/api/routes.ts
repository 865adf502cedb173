import { z } from 'zod';
import { ActuationAction, ActuationCommand } from '../actuation';
import { Alarm, AlarmPriority, AlarmState } from '../alarms';
import { AuditEntry } from '../audit';
import { Incident, IncidentSeverity, IncidentStatus } from '../incidents';
import { Quality } from '../quality';
import { Valve, ValveState } from '../valves';
import { Selection } from '../actuation';
import { AlarmMetrics } from '../alarms';
import { IncidentDetail, NewIncident } from '../incidents';
import { ValveDetail } from '../valves';
import { Health } from '../health';

/**
 * The loopback HTTP API's contract, written once (docs/api.md): each route's method, path,
 * who may call it, which rate limit it counts against, the zod schemas of its parameters,
 * query, body and answer. The station registers its routes from this table and validates
 * against it; the OpenAPI document is generated from it.
 */

/** public: no key; read: a read or write key; write: a write key. */
export type Access = 'public' | 'read' | 'write';
/** The stricter per-key limits, on top of the overall one (src/main/api/limits.ts). */
export type LimitClass = 'actuation' | 'mutation';

export interface RouteSpec {
  method: 'GET' | 'POST';
  /** Fastify-style: `/valves/:id`. */
  path: string;
  access: Access;
  limit?: LimitClass;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The answer's schema (for `/events`: one event's data). */
  response: z.ZodType;
  /** The success status (default 200). */
  status?: 200 | 201;
  /** Server-Sent Events rather than one JSON answer. */
  stream?: true;
}

const Id = z.string().min(1).max(128);
const IdParams = z.object({ id: Id });
/** Query strings are text: booleans are spelt true or false. */
const QueryFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    request_id: z.string(),
    /** For a 400: the parameter or body field that failed. */
    field: z.string().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;

export const ActuateBody = z
  .object({
    action: ActuationAction,
    /** For set_position: percent open. */
    position: z.number().min(0).max(100).optional(),
    /** The selection id the first call answered: sends the command. Absent: selects only. */
    confirm: z.uuid().optional(),
  })
  .strict();
export type ActuateBody = z.infer<typeof ActuateBody>;

export const ActuateAnswer = z.discriminatedUnion('stage', [
  z.object({
    stage: z.literal('selected'),
    selection: Selection,
    /** What to send, before `selection.expiresAt`, to operate: the same call with `confirm`. */
    confirm: ActuateBody,
  }),
  z.object({ stage: z.literal('sent'), command: ActuationCommand }),
]);
export type ActuateAnswer = z.infer<typeof ActuateAnswer>;

export const NewIncidentBody = NewIncident.strict();

export const IncidentUpdate = z
  .object({
    status: IncidentStatus.optional(),
    severity: IncidentSeverity.optional(),
    assignee: z.string().max(64).nullable().optional(),
    title: z.string().min(1).max(200).optional(),
    description: z.string().max(10_000).optional(),
    /** Needed to step the status back or reopen. */
    reason: z.string().min(1).max(500).optional(),
    /** A timeline note, with or without field changes. */
    note: z.string().min(1).max(10_000).optional(),
  })
  .strict()
  .refine((u) => Object.keys(u).some((k) => k !== 'reason'), 'name a field to change or a note to add');

/** Server-Sent Event data: what changed, as the console is told (docs/api.md). */
export const StreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('valves'), valves: z.array(Valve) }),
  z.object({ type: z.literal('alarms'), alarms: z.array(Alarm) }),
  z.object({ type: z.literal('incidents'), incidents: z.array(Incident) }),
  z.object({ type: z.literal('commands'), commands: z.array(ActuationCommand) }),
  z.object({ type: z.literal('link'), link: z.object({ status: z.string() }).loose() }),
]);
export type StreamEvent = z.infer<typeof StreamEvent>;

export const routes = {
  'GET /health': {
    method: 'GET',
    path: '/health',
    access: 'public',
    summary: 'Health of the database, the MQTT link and the event bus (the shape monitors already read).',
    response: Health,
  },
  'GET /openapi.json': {
    method: 'GET',
    path: '/openapi.json',
    access: 'public',
    summary: 'This API’s OpenAPI 3.1 document.',
    response: z.record(z.string(), z.unknown()),
  },
  'GET /valves': {
    method: 'GET',
    path: '/valves',
    access: 'read',
    summary: 'Every valve with its latest state and quality, optionally filtered.',
    query: z.object({ segment: Id.optional(), state: ValveState.optional(), quality: Quality.optional() }).strict(),
    response: z.array(Valve),
  },
  'GET /valves/:id': {
    method: 'GET',
    path: '/valves/:id',
    access: 'read',
    summary: 'One valve with its points.',
    params: IdParams,
    response: ValveDetail,
  },
  'POST /valves/:id/actuate': {
    method: 'POST',
    path: '/valves/:id/actuate',
    access: 'write',
    limit: 'actuation',
    summary:
      'Select-before-operate in two calls: without `confirm` the valve is selected and checked; the same call with `confirm` set to the selection id sends the command.',
    params: IdParams,
    body: ActuateBody,
    response: ActuateAnswer,
  },
  'GET /incidents': {
    method: 'GET',
    path: '/incidents',
    access: 'read',
    summary: 'Incidents, newest first, optionally of one status.',
    query: z.object({ status: IncidentStatus.optional() }).strict(),
    response: z.array(Incident),
  },
  'POST /incidents': {
    method: 'POST',
    path: '/incidents',
    access: 'write',
    limit: 'mutation',
    summary: 'Open an incident.',
    body: NewIncidentBody,
    response: Incident,
    status: 201,
  },
  'GET /incidents/:id': {
    method: 'GET',
    path: '/incidents/:id',
    access: 'read',
    summary: 'One incident with its timeline and links.',
    params: IdParams,
    response: IncidentDetail,
  },
  'POST /incidents/:id/update': {
    method: 'POST',
    path: '/incidents/:id/update',
    access: 'write',
    limit: 'mutation',
    summary: 'Change status, severity, assignee, title or description, and/or add a timeline note.',
    params: IdParams,
    body: IncidentUpdate,
    response: Incident,
  },
  'GET /pipeline/alerts': {
    method: 'GET',
    path: '/pipeline/alerts',
    access: 'read',
    summary: 'Alarms (PipelineGuard alerts and station conditions), newest first, optionally filtered.',
    query: z.object({ state: AlarmState.optional(), priority: AlarmPriority.optional() }).strict(),
    response: z.array(Alarm),
  },
  'GET /pipeline/alerts/metrics': {
    method: 'GET',
    path: '/pipeline/alerts/metrics',
    access: 'read',
    summary: 'Alarm-system performance (API RP 1167 / ISA-18.2): rate, flood, standing, shelved, chattering.',
    response: AlarmMetrics,
  },
  'POST /pipeline/alerts/:id/acknowledge': {
    method: 'POST',
    path: '/pipeline/alerts/:id/acknowledge',
    access: 'write',
    limit: 'mutation',
    summary: 'Acknowledge an alarm.',
    params: IdParams,
    response: Alarm,
  },
  'POST /pipeline/alerts/:id/shelve': {
    method: 'POST',
    path: '/pipeline/alerts/:id/shelve',
    access: 'write',
    limit: 'mutation',
    summary: 'Shelve an alarm with a reason for some minutes (the operators’ limit applies).',
    params: IdParams,
    body: z
      .object({
        minutes: z
          .number()
          .positive()
          .max(7 * 24 * 60),
        reason: z.string().min(1).max(500),
      })
      .strict(),
    response: Alarm,
  },
  'POST /pipeline/alerts/:id/resolve': {
    method: 'POST',
    path: '/pipeline/alerts/:id/resolve',
    access: 'write',
    limit: 'mutation',
    summary: 'Close a cleared alarm with a note.',
    params: IdParams,
    body: z.object({ note: z.string().min(1).max(2000) }).strict(),
    response: Alarm,
  },
  'GET /audit': {
    method: 'GET',
    path: '/audit',
    access: 'read',
    summary: 'The audit log, filtered, oldest first; with newest=true, the latest entries.',
    query: z
      .object({
        since: z.iso.datetime({ offset: false }).optional(),
        until: z.iso.datetime({ offset: false }).optional(),
        actor: z.string().max(64).optional(),
        action: z.string().max(64).optional(),
        limit: z.coerce.number().int().min(1).max(5000).default(500),
        newest: QueryFlag.default(false),
      })
      .strict(),
    response: z.array(AuditEntry),
  },
  'GET /events': {
    method: 'GET',
    path: '/events',
    access: 'read',
    summary: 'Server-Sent Events of changes: valves, alarms, incidents, commands and the field link.',
    response: StreamEvent,
    stream: true,
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteKey = keyof typeof routes;
