import { migrations } from '../../migrations';
import type { AppInfo } from '../shared/system';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Actuation } from './actuation/service';
import { AlarmService } from './alarms/service';
import { AlarmDesk } from './alarms/desk';
import { FieldConditions } from './alarms/conditions';
import { LocalConditions } from './alarms/local-conditions';
import { IncidentService } from './incidents/service';
import { HandoverService } from './handover/service';
import { MutationGuard } from './operators/guard';
import { TokenBucket } from './actuation/throttle';
import { HybridClock } from './sync/hlc';
import { AuditLog } from './audit/audit-log';
import { Auditor } from './audit/auditor';
import { OperatorDirectory } from './operators/directory';
import { OperatorSessions } from './operators/sessions';
import { EventBus, type StationEvents } from './bus';
import type { Config } from './config';
import { HealthService, busCheck } from './health';
import type { Handlers } from './ipc/router';
import { scopedHandlers, stationHandlers } from './ipc/handlers';
import { createLogger, type Logger, type LogSink } from './log';
import { CallScope } from './calls';
import { ApiKeys } from './api/keys';
import { apiLimits } from './api/limits';
import { ApiServer } from './api/server';
import type { ApiStatus } from '../shared/system';
import { openStore, type Store } from './store';
import type { Recovery } from './store/recovery';
import { StorageWatch } from './store/storage-watch';
import { appName, appVersion } from './version';
import { Field } from './field/field';
import { KeytarSecretStore, type SecretStore } from './secrets/secret-store';
import { startDemoSite, type DemoSite } from './demo';
import type { Updates } from './update/service';
import { quietUpdateStatus } from '../shared/update';

export interface StationDeps {
  /** Where log lines go; the CLI passes stdout and the log file, tests pass memory. */
  logSinks: LogSink[];
  /** Runtime facts the core cannot know by itself (the Electron version). */
  runtime?: { electron?: string };
  now?: () => Date;
  /** Where secrets come from; default: the OS keychain (only read when a secret is needed). */
  secrets?: Pick<SecretStore, 'get'>;
  /** Monotonic milliseconds for expiry and throttles (tests may pass a fake). */
  monotonic?: () => number;
  /** The OS account that is the operator when sign-on is off (default: the current user). */
  osAccount?: string;
  /** Starts the DEMO site when no broker is configured (tests may pass their own). */
  startDemo?: typeof startDemoSite;
  /**
   * Automatic updates (src/main/update), asked at each call so the Electron shell can start
   * them once the station runs (they need its log and auditor). None, or null: `unsupported`
   * (the headless station never updates itself).
   */
  updates?: () => Updates | null;
}

/** What exists only while the station runs (after start, before stop). */
export interface Running {
  store: Store;
  audit: AuditLog;
  auditor: Auditor;
  operators: OperatorDirectory;
  sessions: OperatorSessions;
  actuation: Actuation;
  alarms: AlarmService;
  alarmDesk: AlarmDesk;
  incidents: IncidentService;
  handover: HandoverService;
  /** Checks for operators' changes to alarms and incidents (signed on, role, throttle). */
  guard: MutationGuard;
  /** Unsubscribes the services from the bus. */
  offAck: () => void;
  field: Field;
  /** The loopback HTTP API, when enabled and listening. */
  api: ApiServer | null;
  apiKeys: ApiKeys;
  /** Set when the station runs the built-in DEMO / training site. */
  demo: DemoSite | null;
  recovery?: Recovery;
  /** Whether the database takes writes (disk full, I/O errors). */
  storage: StorageWatch;
}

export interface Station {
  readonly config: Config;
  readonly log: Logger;
  readonly bus: EventBus<StationEvents>;
  readonly health: HealthService;
  /** The IPC handlers, ready for any transport (Electron IPC, the test WebSocket). */
  readonly handlers: Handlers;
  start(): Promise<Running>;
  stop(): Promise<void>;
  running(): Running;
  info(): AppInfo;
}

const HOUR_MS = 3_600_000;

/**
 * The one composition root: the Electron shell, `plainview station`, the tests and the
 * benchmarks all start the same station through here. Services are built and wired by
 * hand, in dependency order; nothing is a module-level singleton.
 */
export function createStation(config: Config, deps: StationDeps): Station {
  const now = deps.now ?? (() => new Date());
  const calls = new CallScope();
  const log = createLogger({
    level: config.logLevel,
    json: config.jsonLogging,
    sinks: deps.logSinks,
    now,
    context: () => {
      const call = calls.current();
      return call && { request_id: call.requestId };
    },
  });
  const bus = new EventBus<StationEvents>(log.child('bus'), () => now().getTime());
  const health = new HealthService(appVersion, log.child('health'), () => now().getTime());
  const secrets = deps.secrets ?? new KeytarSecretStore();
  const osAccount = () => deps.osAccount ?? safeUsername();
  let state: Running | null = null;
  let backupTimer: NodeJS.Timeout | null = null;

  const running = (): Running => {
    if (!state) throw new Error('the station is not running');
    return state;
  };

  const info = (): AppInfo => ({
    name: appName,
    version: appVersion,
    siteId: config.siteId,
    stationId: config.stationId,
    schemaVersion: state?.store.schemaVersion ?? 0,
    demo: !config.mqttUrl,
    dataDir: config.dataDir,
    runtime: {
      node: process.versions.node,
      electron: deps.runtime?.electron,
      platform: process.platform,
      arch: process.arch,
    },
  });

  health.register('database', () =>
    state ? (state.storage.check() ?? state.store.check()) : { status: 'down', reason: 'the database is not open' },
  );
  health.register('mqtt', () =>
    state ? state.field.check() : { status: 'down', reason: 'the station is not running' },
  );
  health.register('event_bus', () => busCheck(bus.getStats(), now().getTime()));

  const backupIfDue = (store: Store) => {
    const last = store.lastBackupAt?.getTime() ?? 0;
    if (now().getTime() - last < config.backupIntervalHours * HOUR_MS) return;
    store.backup('scheduled', config.backupKeep).catch((err: unknown) => {
      if (state) log.error('scheduled backup failed', { error: err });
    });
  };

  const start = async (): Promise<Running> => {
    if (state) return state;
    const storeLog = log.child('store');
    const { store, recovery } = await openStore({
      dataDir: config.dataDir,
      migrations,
      log: storeLog,
      mode: 'station',
      backupKeep: config.backupKeep,
    }).catch((err: unknown) => {
      // Also in the log file, where IT looks first; the caller shows it to the person.
      log.error('station cannot start', { error: err });
      throw err;
    });
    store.sql.run(
      store.sql.q
        .insertInto('sites')
        .values({ id: config.siteId, name: config.siteId, demo: 0, created_at: now().toISOString() })
        .onConflict((oc) => oc.column('id').doNothing()),
    );
    let demo: DemoSite | null = null;
    let field: Field;
    let alarms: AlarmService | null = null;
    let incidentService: IncidentService | null = null;
    // One hybrid logical clock per station orders all its operators' events.
    const stationClock = new HybridClock(config.stationId, () => now().getTime());
    try {
      if (!config.mqttUrl) demo = await (deps.startDemo ?? startDemoSite)(config, log.child('demo'), now);
      field = new Field({
        config,
        db: store.db,
        brokerUrl: config.mqttUrl ?? demo!.url,
        protocolVersion: demo ? demo.protocolVersion : config.mqttProtocolVersion,
        secret: (name) => secrets.get(name),
        log: log.child('field'),
        now,
        monotonic: deps.monotonic,
        events: {
          onLink: (link) => bus.emit('field.link', link),
          onChange: (kind, id) => bus.emit('field.change', { kind, id }),
          onAck: (valveId, ack) => bus.emit('field.ack', { valveId, ack }),
          // The alarm service exists before the field starts, so before any alert arrives.
          onAlert: (alert) => alarms!.onFieldAlert(alert),
          onAlarmSnapshot: (snapshot) => alarms!.mergeSnapshot(snapshot),
          onIncidentSnapshot: (snapshot) => incidentService!.mergeSnapshot(snapshot),
          onStationEvent: (event) => bus.emit('station.event', event),
        },
      });
    } catch (err) {
      await demo?.stop();
      await store.close();
      throw err;
    }
    const audit = new AuditLog(store.sql, now);
    const auditor = new Auditor(audit, config.stationId, log.child('audit'), () => calls.current()?.requestId ?? null);
    const operators = new OperatorDirectory(store.sql, now);
    const sessions = new OperatorSessions({
      signOnRequired: config.operatorSignOn,
      osAccount: osAccount(),
      osAccountRole: config.osAccountRole,
      idleLockMs: config.idleLockMin * 60_000,
      directory: operators,
      auditor,
      now,
      onChange: (session) => field.push.queueSession(session),
    });
    // Who acts: the API key of an HTTP call, else the console's operator.
    const actingIdentity = () => calls.current()?.identity ?? sessions.identity();
    const actuation = new Actuation({
      config,
      sql: store.sql,
      state: field.state,
      link: field.link,
      flushField: () => field.flushWrites(),
      sessions: { identity: actingIdentity },
      auditor,
      log: log.child('actuation'),
      now,
      monotonic: deps.monotonic ?? (() => performance.now()),
      onCommand: (command) => field.push.queueCommand(command),
    });
    alarms = new AlarmService({
      sql: store.sql,
      siteId: config.siteId,
      stationId: config.stationId,
      clock: stationClock,
      events: field.stationEvents,
      outbox: field.outbox,
      auditor,
      log: log.child('alarms'),
      now,
      monotonic: deps.monotonic,
      onChange: (alarm) => {
        bus.emit('alarm.changed', alarm);
        field.push.queueAlarm(alarm);
      },
    });
    const alarmService = alarms;
    const incidents = (incidentService = new IncidentService({
      sql: store.sql,
      siteId: config.siteId,
      clock: stationClock,
      events: field.stationEvents,
      outbox: field.outbox,
      auditor,
      log: log.child('incidents'),
      now,
      onChange: (incident) => {
        bus.emit('incident.changed', incident);
        field.push.queueIncident(incident);
      },
    }));
    const guard = new MutationGuard(
      actingIdentity,
      new TokenBucket(config.incidentMutationsPerMinute, 60_000, deps.monotonic ?? (() => performance.now())),
    );
    const alarmDesk = new AlarmDesk(alarmService, guard, config.shelveOperatorMaxMin, now);
    const handover = new HandoverService({
      sql: store.sql,
      siteId: config.siteId,
      stationId: config.stationId,
      clock: stationClock,
      events: field.stationEvents,
      auditor,
      alarms: alarmService,
      incidents,
      commands: actuation.commands,
      field,
      now,
      onChange: (report) => field.push.queueHandover(report),
    });
    const conditions = new FieldConditions(field.state, alarmService);
    const local = new LocalConditions(config.stationId, alarmService, () => field.counters.dropped);
    const offLink = bus.on('field.link', (link) => local.onLink(link));
    local.start();
    const storage = new StorageWatch({
      db: store.db,
      writeErrors: () => field.counters.writeErrors,
      now,
      log: log.child('store'),
      onChange: (failure) => local.onStorage(failure),
    });
    storage.start();
    if (recovery) {
      // The operators, and the audit trail, learn what the log says: which period may be missing.
      auditor.record({
        actor: 'system',
        action: 'store.restored',
        subject: recovery.restoredFrom.file,
        result: 'ok',
        detail: {
          problem: recovery.problem,
          quarantined: recovery.quarantined,
          backup_taken_at: recovery.restoredFrom.takenAt.toISOString(),
        },
      });
      local.onRestored(recovery);
    }
    alarmService.start();
    const offChanges = bus.on('field.change', ({ kind, id }) => {
      if (kind === 'valve_state') conditions.onValve(id);
      else if (kind === 'gateway_presence')
        conditions.onGateway(id, field.state.gatewayTs.get(id) ?? now().toISOString());
    });
    const offEvents = bus.on('station.event', (event) => {
      alarmService.applyEvent(event);
      incidents.applyEvent(event);
      handover.applyEvent(event);
    });
    // In-flight commands from a previous run become `unknown` before any acknowledgement can arrive.
    actuation.start();
    const offAck = bus.on('field.ack', ({ valveId, ack }) => actuation.onAck(valveId, ack));
    sessions.start();
    field.start();
    state = {
      store,
      audit,
      auditor,
      operators,
      sessions,
      actuation,
      alarms: alarmService,
      alarmDesk,
      incidents,
      handover,
      guard,
      field,
      demo,
      recovery,
      offAck: () => (offAck(), offEvents(), offChanges(), offLink(), local.stop(), alarmService.stop(), storage.stop()),
      api: null,
      apiKeys: new ApiKeys(store.sql, now),
      storage,
    };
    if (config.apiEnabled) await startApi(state);
    backupIfDue(store);
    // Checked every few minutes so a long-running station keeps its backups current.
    backupTimer = setInterval(() => backupIfDue(store), Math.min(config.backupIntervalHours * HOUR_MS, 5 * 60_000));
    backupTimer.unref();
    bus.emit('station.started', { at: now().toISOString() });
    log.info('station ready', {
      site: config.siteId,
      station: config.stationId,
      data_dir: config.dataDir,
      schema_version: store.schemaVersion,
      version: appVersion,
      broker: config.mqttUrl ?? `${demo?.url} (embedded DEMO broker)`,
    });
    if (demo) log.warn('DEMO / TRAINING SITE: no broker is configured (PLAINVIEW_MQTT_URL); the field is simulated');
    return state;
  };

  const stop = async (): Promise<void> => {
    if (!state) return;
    const { store, field, demo, actuation, sessions, offAck, api } = state;
    bus.emit('station.stopping', { at: now().toISOString() });
    if (backupTimer) clearInterval(backupTimer);
    state = null;
    // The API first (no new calls), then commands and sessions, then the field (flushes
    // what it received), then the demo site, then the database.
    await api?.stop();
    offAck();
    actuation.stop();
    sessions.stop();
    await field.stop();
    await demo?.stop();
    await store.close();
    log.info('station stopped');
  };

  /**
   * The loopback API is optional: if it cannot listen (a port in use), the station runs
   * without it and says why in the System view and the log.
   */
  let apiError: string | null = null;
  const startApi = async (r: Running) => {
    const api = new ApiServer({
      port: config.apiPort,
      bind: config.apiBind,
      corsOrigins: config.corsOrigins,
      limits: apiLimits(config),
      handlers: scoped,
      keys: r.apiKeys,
      auditor: r.auditor,
      log: log.child('api'),
      subscribe: (sink) => r.field.push.subscribe(sink),
      version: appVersion,
      now: () => now().getTime(),
    });
    try {
      await api.start();
      r.api = api;
    } catch (err) {
      apiError = (err as Error).message;
      await api.stop().catch(() => undefined);
      log.error('the loopback API could not start; the station runs without it', { error: err });
    }
  };
  const apiStatus = (): ApiStatus =>
    state?.api?.stats() ?? {
      enabled: config.apiEnabled,
      listening: [],
      error: config.apiEnabled ? apiError : null,
      requests: 0,
      refused: {},
      streams: 0,
    };

  const updateStatus = () =>
    deps.updates?.()?.status() ?? quietUpdateStatus('unsupported', config.updateChannel, appVersion);

  const handlers = stationHandlers({
    rooms: running,
    health,
    info,
    now,
    apiStatus,
    updates: () => deps.updates?.() ?? null,
    updateStatus,
    actingIdentity: () => calls.current()?.identity ?? state?.sessions.identity() ?? null,
  });
  const scoped = scopedHandlers(handlers, calls, () => state?.storage ?? null);

  return { config, log, bus, health, handlers: scoped, start, stop, running, info };
}

/** The OS user name, or a placeholder where the OS cannot say (some service accounts). */
function safeUsername(): string {
  try {
    return os.userInfo().username || 'unknown-user';
  } catch {
    return 'unknown-user';
  }
}
