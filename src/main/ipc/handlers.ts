import type { AppInfo, ApiStatus, SystemStatus } from '../../shared/system';
import { ok, refuse, type Result } from '../../shared/refusal';
import { UNSUPPORTED_REASON, type UpdateStatus } from '../../shared/update';
import type { Actuation } from '../actuation/service';
import type { AlarmDesk } from '../alarms/desk';
import type { AlarmService } from '../alarms/service';
import type { AlarmDefinitions } from '../limits/definitions';
import type { AuditLog } from '../audit/audit-log';
import type { CallScope } from '../calls';
import type { Field } from '../field/field';
import type { HandoverService } from '../handover/service';
import type { HealthService } from '../health';
import type { IncidentService } from '../incidents/service';
import type { MutationGuard } from '../operators/guard';
import type { Identity, OperatorSessions } from '../operators/sessions';
import type { SiteOperators } from '../operators/site-operators';
import type { Fleet } from '../fleet/fleet';
import { NO_SPARKPLUG, type Sparkplug } from '../sparkplug/sparkplug';
import type { Store } from '../store';
import type { Outbox } from '../sync/outbox';
import type { Telemetry } from '../telemetry/telemetry';
import type { StorageWatch } from '../store/storage-watch';
import { isStorageWriteError, storageRefusalMessage } from '../store/storage-watch';
import type { Updates } from '../update/service';
import type { CallContext, Handlers } from './router';

/** The rooms a call reaches, while the station runs. */
export interface Rooms {
  store: Store;
  field: Field;
  telemetry: Pick<Telemetry, 'trends'>;
  outbox: Pick<Outbox, 'unsentCount'>;
  audit: AuditLog;
  sessions: OperatorSessions;
  /** The site's operator accounts (a supervisor manages them from any station). */
  operators: SiteOperators;
  actuation: Actuation;
  alarms: AlarmService;
  alarmDesk: AlarmDesk;
  definitions: AlarmDefinitions;
  incidents: IncidentService;
  handover: HandoverService;
  guard: MutationGuard;
  storage: StorageWatch;
  /** The Sparkplug B host, when this station runs one. */
  sparkplug: Sparkplug | null;
  /** What this station hears of the site's stations and gateways. */
  fleet: Fleet;
}

export interface HandlerDeps {
  /** The running rooms; throws when the station is not running. */
  rooms: () => Rooms;
  health: HealthService;
  info: () => AppInfo;
  now: () => Date;
  apiStatus: () => ApiStatus;
  /** Automatic updates, when this process has them (the Electron shell). */
  updates: () => Updates | null;
  updateStatus: () => UpdateStatus;
  /** Who acts: the API key of an HTTP call, else the console's operator. */
  actingIdentity: () => Identity | null;
  /** Whether the renderer's `operator.activity` postpones the idle lock (StationDeps.operatorInput). */
  activityFromRenderer: boolean;
}

/**
 * What each IPC channel does, in one table: the console, the HTTP API (src/main/api) and the
 * tests all call these. Each answers a Result; the rooms decide, these only route.
 */
export function stationHandlers(d: HandlerDeps): Handlers {
  const r = d.rooms;
  return {
    'health.get': () => ok(d.health.get()),
    'app.info': () => ok(d.info()),
    'site.get': () => ok(r().field.state.siteView()),
    'valves.list': () => ok(r().field.state.valveList()),
    'valves.get': ({ id }) => ok(r().field.state.valveDetail(id)),
    'points.list': () => ok(r().field.state.pointList()),
    'trends.get': async ({ pointId, range }) => ok(await r().telemetry.trends.get(pointId, range, d.now().getTime())),
    'trends.between': async ({ pointId, from, to }) => ok(await r().telemetry.trends.between(pointId, from, to)),
    'system.status': () => ok(systemStatus(d)),
    'sparkplug.browse': () => ok(r().sparkplug?.browse() ?? NO_SPARKPLUG),
    'fleet.list': () => ok(r().fleet.list()),
    'actuation.select': (input, ctx) => r().actuation.select(input, { requestId: ctx.requestId }),
    'actuation.operate': ({ selectionId }, ctx) => r().actuation.operate(selectionId, { requestId: ctx.requestId }),
    'actuation.cancel': ({ selectionId }, ctx) =>
      ok({ cancelled: r().actuation.cancel(selectionId, { requestId: ctx.requestId }) }),
    'commands.list': ({ valveId, limit }) => ok(r().actuation.commands.list(valveId, limit)),
    'commands.history': ({ id }) => ok(r().actuation.commands.history(id)),
    'operator.session': () => ok(r().sessions.session()),
    'operator.signOn': ({ username, secret }) => r().sessions.signOn(username, secret),
    'operator.signOff': () => ok(r().sessions.signOff()),
    'operator.activity': () => {
      // Under Electron the shell reports the operator's input itself; the call is a no-op.
      if (d.activityFromRenderer) r().sessions.touch();
      return ok(null);
    },
    'operators.list': () => r().operators.list(d.actingIdentity()),
    'operators.create': (input) => r().operators.create(d.actingIdentity(), input),
    'operators.disable': ({ username }) => r().operators.disable(d.actingIdentity(), username),
    'operators.enable': ({ username }) => r().operators.enable(d.actingIdentity(), username),
    'operators.reset': ({ username, secret }) => r().operators.reset(d.actingIdentity(), username, secret),
    'audit.list': (query) => ok(r().audit.list(query)),
    'alarms.list': () => ok(r().alarms.list()),
    'alarms.journal': ({ id }) => ok(r().alarms.history(id)),
    'alarms.metrics': () => ok(r().alarms.metrics()),
    'alarms.acknowledge': ({ ids }) => ok(r().alarmDesk.acknowledge(ids)),
    'alarms.shelve': ({ id, minutes, reason }) => r().alarmDesk.shelve(id, minutes, reason),
    'alarms.unshelve': ({ id }) => r().alarmDesk.unshelve(id),
    'alarms.resolve': ({ id, note }) => r().alarmDesk.resolve(id, note),
    'limits.definitions': () => ok(r().definitions.current()),
    'limits.history': ({ limit }) => ok(r().definitions.history(limit)),
    'limits.change': ({ definitions, reason }) => r().definitions.change(d.actingIdentity(), definitions, reason),
    'incidents.list': ({ status }) =>
      ok(
        r()
          .incidents.list()
          .filter((i) => !status || i.status === status),
      ),
    'incidents.get': ({ id }) => {
      const { incidents } = r();
      const incident = incidents.get(id);
      return ok(incident ? { incident, timeline: incidents.timeline(id), links: incidents.links(id) } : null);
    },
    'incidents.create': (input) => r().guard.run('incidents', (who) => r().incidents.create(who.username, input)),
    'incidents.update': ({ id, reason, ...fields }) =>
      r().guard.run('incidents', (who) => r().incidents.update(who.username, id, fields, reason)),
    'incidents.note': ({ id, text }) => r().guard.run('incidents', (who) => r().incidents.note(who.username, id, text)),
    'handover.list': () => ok(r().handover.list()),
    'handover.prepare': () => r().guard.run('handover', (who) => ok(r().handover.prepare(who.username))),
    'handover.signOff': ({ id, notes }) =>
      r().guard.run('handover', (who) => r().handover.signOff(id, who.username, notes)),
    'handover.acknowledge': ({ id }) => r().guard.run('handover', (who) => r().handover.acknowledge(id, who.username)),
    'handover.html': ({ id }) => ok(r().handover.html(id)),
    'update.check': async () => ok(await (d.updates()?.check() ?? d.updateStatus())),
    'update.install': () =>
      d.updates()?.install(d.actingIdentity()) ?? refuse('conflict', `Nothing to install: ${UNSUPPORTED_REASON}.`),
  };
}

function systemStatus(d: HandlerDeps): SystemStatus {
  const { store, field, outbox } = d.rooms();
  return {
    health: d.health.get(),
    info: d.info(),
    link: field.link.state,
    linkFacts: field.link.facts(),
    ingest: field.counters.snapshot(),
    database: {
      sizeBytes: store.sizeBytes(),
      schemaVersion: store.schemaVersion,
      lastBackupAt: store.lastBackupAt?.toISOString() ?? null,
    },
    outboxUnsent: outbox.unsentCount(),
    connectionAttempts: field.link.attempts,
    api: d.apiStatus(),
    update: d.updateStatus(),
  };
}

/**
 * Each call runs in its scope: its request id reaches the log lines and audit entries it
 * causes, and an API call acts as its key. A change the database cannot store (disk full) is
 * refused in plain words, nothing changed, and the station learns its database refuses writes
 * (an alarm, health).
 */
export function scopedHandlers(handlers: Handlers, calls: CallScope, storage: () => StorageWatch | null): Handlers {
  const storageRefusal = (err: unknown): Result<never> => {
    if (!isStorageWriteError(err)) throw err;
    storage()?.failed(err);
    return refuse('unavailable', storageRefusalMessage(err));
  };
  return Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      (input: unknown, ctx: CallContext) =>
        calls.run({ requestId: ctx.requestId, identity: ctx.identity }, () => {
          let answer: Result<unknown> | Promise<Result<unknown>>;
          try {
            answer = (handler as (i: unknown, c: CallContext) => typeof answer)(input, ctx);
          } catch (err) {
            return storageRefusal(err);
          }
          return answer instanceof Promise ? answer.catch(storageRefusal) : answer;
        }),
    ]),
  ) as Handlers;
}
