/*
 * The rooms of a running station, built on its open store in dependency order, connected,
 * then started (src/main/station.ts is the rest of the composition root). Wiring only: what
 * each room does is in the room.
 */
import { stationTopicV2 } from '../shared/protocol';
import { migrations } from '../../migrations';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Actuation } from './actuation/service';
import { SlidingWindow } from './actuation/throttle';
import { FieldConditions } from './alarms/conditions';
import { AlarmDesk } from './alarms/desk';
import { LocalConditions } from './alarms/local-conditions';
import { AlarmService } from './alarms/service';
import { AlarmDefinitions } from './limits/definitions';
import { LimitAlarms } from './limits/limit-alarms';
import { apiLimits } from './api/limits';
import { LoopbackApi } from './api/start';
import { ApiKeys } from './api/keys';
import { AuditLog } from './audit/audit-log';
import { Auditor, auditRestore, checkAuditTail } from './audit/auditor';
import { AuditHeadPublisher } from './audit/head';
import type { EventBus, StationEvents } from './bus';
import type { CallScope } from './calls';
import type { Config } from './config';
import { ConsolePush } from './console/push';
import { startDemoSite, type DemoSite } from './demo';
import { IngestCounters } from './field/counters';
import { PlainviewCommands } from './field/commands';
import { Field } from './field/field';
import { BirthRepublisher, healthSummary, type BirthFacts } from './fleet/birth';
import { Fleet } from './fleet/fleet';
import { HandoverService } from './handover/service';
import { HistoryBackup, historyFolders } from './history/backup';
import { retentionDays } from './history/retention';
import { IncidentService } from './incidents/service';
import type { Rooms } from './ipc/handlers';
import type { Handlers } from './ipc/router';
import type { Logger, LogSink } from './log';
import { MutationGuard } from './operators/guard';
import { OperatorSessions } from './operators/sessions';
import { SiteOperators } from './operators/site-operators';
import { machineSecrets } from './secrets/machine-secrets';
import { KeytarSecretStore, type SecretStore } from './secrets/secret-store';
import { StationSecrets } from './secrets/station-secrets';
import { openStore } from './store';
import { BackupSchedule } from './store/backup-schedule';
import type { Recovery } from './store/recovery';
import { StorageWatch } from './store/storage-watch';
import { CommandRouter } from './sparkplug/commands';
import { Sparkplug } from './sparkplug/sparkplug';
import { HybridClock } from './sync/hlc';
import { Outbox } from './sync/outbox';
import { StationEvents as SyncEvents } from './sync/station-events';
import { Unapplied } from './sync/unapplied';
import { Telemetry } from './telemetry/telemetry';
import type { Updates } from './update/service';
import { appVersion } from './version';
import type { Health } from '../shared/health';

export interface StationDeps {
  /** Where log lines go; the CLI passes stdout and the log file, tests pass memory. */
  logSinks: LogSink[];
  /** Runtime facts the core cannot know by itself (the Electron version). */
  runtime?: { electron?: string };
  now?: () => Date;
  /**
   * Where secrets come from; default: the OS keychain, then the machine's secrets (only read
   * when a secret is needed).
   */
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
  /**
   * Who vouches that the operator is at the console (the idle lock): the renderer's
   * `operator.activity` calls (default; the web harness), or the Electron shell alone, from
   * the OS input Chromium delivers to the focused window (shell/activity.ts). With `shell`,
   * the renderer's calls are ignored: a script in the page cannot hold the lock off.
   */
  operatorInput?: 'renderer' | 'shell';
}

/** What exists only while the station runs (after start, before stop). */
export interface Running extends Rooms {
  telemetry: Telemetry;
  outbox: Outbox;
  stationEvents: SyncEvents;
  push: ConsolePush;
  auditor: Auditor;
  limits: LimitAlarms;
  apiKeys: ApiKeys;
  /** The loopback HTTP API (off unless configured). */
  api: LoopbackApi;
  /** Set when the station runs the built-in DEMO / training site. */
  demo: DemoSite | null;
  birth: BirthRepublisher;
  recovery?: Recovery;
  /** What start-up did about the data folder's permissions (System view), or null. */
  dataFolderNote: string | null;
  /** Stops the rooms, in the reverse order of their start. */
  stop(): Promise<void>;
}

/** What the composition root gives the rooms. */
export interface Wiring {
  config: Config;
  deps: StationDeps;
  log: Logger;
  bus: EventBus<StationEvents>;
  calls: CallScope;
  handlers: Handlers;
  now: () => Date;
  /** The station's health now (its birth reports each check's status); null until it runs. */
  health: () => Health | null;
}

/** Opens the store and builds every room on it, in dependency order, then starts them. */
export async function buildRooms(w: Wiring): Promise<Running> {
  const { config, deps, log, bus, calls, now } = w;
  const monotonic = deps.monotonic ?? (() => performance.now());
  const { store, recovery, dataFolderNote } = await openStore({
    dataDir: config.dataDir,
    migrations,
    log: log.child('store'),
    mode: 'station',
    backupKeep: config.backupKeep,
  }).catch((err: unknown) => {
    // Also in the log file, where IT looks first; the caller shows it to the person.
    log.error('station cannot start', { error: err });
    throw err;
  });
  const counters = new IngestCounters(log.child('ingest'), () => now().getTime());
  const telemetry = new Telemetry({
    config,
    db: store.db,
    counters,
    log,
    now,
    // Called once running (the local alarms are wired below).
    onDamage: (d) => local.onHistoryDamaged(d),
  });
  let demo: DemoSite | null = null;
  let field: Field;
  let sparkplug: Sparkplug | null = null;
  // What the station's presence birth reports (docs/protocol.md, "Presence").
  const facts = (): BirthFacts => ({
    version: appVersion,
    schemaVersion: store.schemaVersion,
    channel: config.updateChannel,
    demo: demo !== null,
    health: healthOrNull(w.health()),
    lastBackupAt: store.lastBackupAt?.toISOString() ?? null,
  });
  const fleet = new Fleet(now);
  let birth: BirthRepublisher | null = null;
  try {
    if (!config.mqttUrl) demo = await (deps.startDemo ?? startDemoSite)(config, log.child('demo'), now);
    const secrets = deps.secrets ?? new StationSecrets(new KeytarSecretStore(), machineSecrets(), log.child('secrets'));
    field = new Field({
      config,
      telemetry,
      counters,
      brokerUrl: config.mqttUrl ?? demo!.url,
      protocolVersion: demo ? demo.protocolVersion : config.mqttProtocolVersion,
      secret: (name) => secrets.get(name),
      log: log.child('field'),
      now,
      monotonic: deps.monotonic,
      birth: {
        online: () => {
          const f = facts();
          birth?.published(f);
          const { health, ...rest } = f;
          return health ? { ...rest, health } : rest;
        },
        // What stays known of an offline station: not its health, which its absence says.
        goodbye: () => {
          const { health: _health, ...f } = facts();
          return f;
        },
      },
    });
    const link = field.link;
    birth = new BirthRepublisher({
      facts,
      republish: () => link.republishPresence(),
      log: log.child('fleet'),
      monotonic,
    });
    // The Sparkplug B host (docs/sparkplug.md), when this station has a host id.
    if (config.sparkplugHostId)
      sparkplug = new Sparkplug({
        config,
        brokerUrl: config.mqttUrl ?? demo!.url,
        // MQTT 3.1.1 (every broker and edge node speaks it) unless the site forces a version.
        protocolVersion: demo
          ? demo.protocolVersion
          : config.mqttProtocolVersion === 'auto'
            ? 4
            : config.mqttProtocolVersion,
        secret: (name) => secrets.get(name),
        log: log.child('sparkplug'),
        now,
        monotonic: deps.monotonic,
        onAck: (valveId, ack) => bus.emit('field.ack', { valveId, ack }),
      });
  } catch (err) {
    await demo?.stop();
    await store.close();
    throw err;
  }
  const push = new ConsolePush(field.state, log.child('push'));
  const outbox = new Outbox(
    store.db,
    {
      online: () => field.link.online,
      oneAtATime: () => field.link.probing,
      publish: (topic, payload, o) => field.link.publish(topic, payload, o),
    },
    log.child('outbox'),
    now,
  );
  const events = new SyncEvents(store.db, outbox, config.siteId, config.stationId, now, (e) =>
    bus.emit('station.event', e),
  );
  // One hybrid logical clock per station orders all its operators' events.
  const clock = new HybridClock(config.stationId, () => now().getTime());
  const audit = new AuditLog(store.sql, now);
  const auditHeads = new AuditHeadPublisher({
    audit,
    outbox,
    siteId: config.siteId,
    stationId: config.stationId,
    now,
    log: log.child('audit'),
  });
  const auditor = new Auditor(audit, config.stationId, log.child('audit'), () => calls.current()?.requestId ?? null);
  const operators = new SiteOperators({
    sql: store.sql,
    siteId: config.siteId,
    stationId: config.stationId,
    clock,
    outbox,
    auditor,
    log: log.child('operators'),
    now,
    onChange: (_username, because) => sessions.recheck(because),
  });
  const sessions = new OperatorSessions({
    signOnRequired: config.operatorSignOn,
    osAccount: deps.osAccount ?? osUsername(),
    osAccountRole: config.osAccountRole,
    idleLockMs: config.idleLockMin * 60_000,
    directory: operators.directory,
    auditor,
    now,
    onChange: (session) => push.queueSession(session),
  });
  // Who acts: the API key of an HTTP call, else the console's operator.
  const actingIdentity = () => calls.current()?.identity ?? sessions.identity();
  const actuation = new Actuation({
    config,
    sql: store.sql,
    state: field.state,
    channel: new CommandRouter(
      sparkplug?.commands ?? null,
      new PlainviewCommands(config.siteId, field.link, field.state, config.acceptV1),
    ),
    flushField: () => field.flushWrites(),
    sessions: { identity: actingIdentity },
    auditor,
    log: log.child('actuation'),
    now,
    monotonic,
    onCommand: (command) => push.queueCommand(command),
  });
  const shared = { sql: store.sql, siteId: config.siteId, clock, events, outbox, auditor, now };
  const alarms = new AlarmService({
    ...shared,
    stationId: config.stationId,
    log: log.child('alarms'),
    monotonic: deps.monotonic,
    onChange: (alarm) => (bus.emit('alarm.changed', alarm), push.queueAlarm(alarm)),
  });
  const incidents = new IncidentService({
    ...shared,
    stationId: config.stationId,
    known: {
      alarm: (id) => alarms.get(id) !== null,
      valve: (id) => field.state.valves.has(id),
      segment: (id) => field.state.site?.segments.some((s) => s.id === id) ?? false,
    },
    log: log.child('incidents'),
    onChange: (incident) => (bus.emit('incident.changed', incident), push.queueIncident(incident)),
  });
  const guard = new MutationGuard(
    actingIdentity,
    new SlidingWindow(config.incidentMutationsPerMinute, 60_000, monotonic),
  );
  const alarmDesk = new AlarmDesk(alarms, guard, config.shelveOperatorMaxMin, now);
  const handover = new HandoverService({
    ...shared,
    stationId: config.stationId,
    alarms,
    incidents,
    commands: actuation.commands,
    field,
    onChange: (report) => push.queueHandover(report),
    auditHead: () => audit.head(),
    onSignedOff: () => auditHeads.publishNow(),
  });
  const limits = new LimitAlarms({
    state: field.state,
    alarms,
    auditor,
    log: log.child('limits'),
    now: () => now().getTime(),
  });
  const definitions = new AlarmDefinitions({
    ...shared,
    stationId: config.stationId,
    log: log.child('limits'),
    onChange: (set) => {
      limits.define(set);
      telemetry.alarmsChanged(set.definitions);
    },
  });
  const conditions = new FieldConditions(field.state, alarms);
  const local = new LocalConditions(config.stationId, alarms, () => counters.dropped);
  const storage = new StorageWatch({
    db: store.db,
    writeErrors: () => counters.writeErrors,
    now,
    log: log.child('store'),
    onChange: (failure) => local.onStorage(failure),
  });
  // What other stations share, held while the database refuses writes (a full disk).
  const unapplied = new Unapplied(log.child('sync'), (err) => storage.failed(err));
  const apiKeys = new ApiKeys(store.sql, now);
  const api = new LoopbackApi(config.apiEnabled, () => ({
    port: config.apiPort,
    bind: config.apiBind,
    corsOrigins: config.corsOrigins,
    limits: apiLimits(config),
    handlers: w.handlers,
    keys: apiKeys,
    auditor,
    log: log.child('api'),
    subscribe: (sink) => push.subscribe(sink),
    version: appVersion,
    now: () => now().getTime(),
  }));
  const historyBackup = new HistoryBackup({
    db: store.db,
    ...historyFolders(config.dataDir),
    retention: retentionDays(config),
    log: log.child('store'),
  });
  const backups = new BackupSchedule(store, {
    intervalHours: config.backupIntervalHours,
    keep: config.backupKeep,
    now,
    log: log.child('store'),
    after: () => historyBackup.run(now()),
  });

  // Connected, then started in order: what listens exists before what speaks.
  const offs = [
    bus.on('field.link', (link) => {
      push.onLink(link);
      local.onLink(link);
      limits.onLink(link.status === 'online');
      if (link.status === 'online') outbox.onOnline();
    }),
    bus.on('field.change', ({ kind, id }) => {
      if (kind === 'valve_state') conditions.onValve(id);
      else if (kind === 'gateway_presence')
        // When this station learnt it (the presence message's time is when the gateway connected).
        conditions.onGateway(id, now().toISOString());
    }),
    bus.on(
      'station.event',
      (event) => (alarms.applyEvent(event), incidents.applyEvent(event), handover.applyEvent(event)),
    ),
    bus.on('field.ack', ({ valveId, ack }) => actuation.onAck(valveId, ack)),
  ];
  local.start();
  storage.start();
  if (recovery) {
    // The operators, and the audit trail, learn what the log says: which period may be missing.
    auditRestore(auditor, recovery);
    local.onRestored(recovery);
  }
  const broken = checkAuditTail(audit, auditor, log.child('audit'));
  if (broken) local.onAuditBroken(broken);
  alarms.start();
  // The DEMO / training site comes with its rationalized definitions, so every alarm type shows.
  if (demo && definitions.current().version === 0)
    definitions.seed(demo.definitions, "The DEMO site's rationalized alarm definitions");
  limits.define(definitions.current());
  telemetry.alarmsChanged(definitions.current().definitions);
  limits.start();
  definitions.start();
  // In-flight commands from a previous run become `unknown` before any acknowledgement can arrive.
  actuation.start();
  sessions.start();
  operators.start();
  // Messages queued under protocol v1 before an upgrade go to their v2 topics.
  outbox.retopic((topic) => stationTopicV2(topic, config.stationId));
  outbox.start();
  unapplied.start();
  auditHeads.start();
  push.start();
  field.start({
    onLink: (link) => bus.emit('field.link', link),
    onChange: (kind, id) => bus.emit('field.change', { kind, id }),
    onAck: (valveId, ack) => bus.emit('field.ack', { valveId, ack }),
    onAlert: (alert) => alarms.onFieldAlert(alert),
    onAlarmSnapshot: (snapshot) => unapplied.apply(`alarm:${snapshot.id}`, () => alarms.mergeSnapshot(snapshot)),
    onIncidentSnapshot: (snapshot) =>
      unapplied.apply(`incident:${snapshot.id}`, () => incidents.mergeSnapshot(snapshot)),
    onStationEvent: (event) => unapplied.apply(`event:${event.id}`, () => void events.receive(event)),
    onAlarmDefinitions: (message) =>
      unapplied.apply(`definitions:${message.set.station}`, () => definitions.receive(message)),
    onOperatorRecord: (message, from) =>
      unapplied.apply(`operator:${from}:${message.operator.username}`, () => operators.receive(message, from)),
    onSample: (point, ts, value, quality) => limits.onSample(point, ts, value, quality),
    onRefusals: (refusals) => local.onRefusals(refusals),
    onPresence: (kind, id, message) => fleet.hear(kind, id, message),
    onAuditHead: (message) => fleet.hearAuditHead(message),
    details: () => ({ outbox_unsent: outbox.unsentCount(), ...(sparkplug && { sparkplug: sparkplug.summary() }) }),
  });
  sparkplug?.start(field.intake());
  birth!.start();
  await api.start();
  backups.start();

  // The API first (no new calls), then commands and sessions, then the field (it writes
  // everything it received), then the demo site, then the database.
  const stop = async () => {
    backups.stop();
    historyBackup.stop();
    birth!.stop();
    await api.stop();
    for (const off of offs) off();
    local.stop();
    definitions.stop();
    limits.stop();
    alarms.stop();
    storage.stop();
    actuation.stop();
    sessions.stop();
    push.stop();
    auditHeads.stop();
    unapplied.stop();
    outbox.stop();
    await sparkplug?.stop();
    await field.stop();
    await demo?.stop();
    await store.close();
  };
  return {
    store,
    field,
    telemetry,
    outbox,
    stationEvents: events,
    push,
    audit,
    auditor,
    operators,
    sessions,
    actuation,
    alarms,
    alarmDesk,
    definitions,
    limits,
    incidents,
    handover,
    guard,
    storage,
    sparkplug,
    apiKeys,
    api,
    demo,
    birth: birth!,
    fleet,
    recovery,
    dataFolderNote,
    stop,
  };
}

/** The health a birth reports: none while the station is still starting (its checks would say down). */
const healthOrNull = (health: Health | null) => (health ? healthSummary(health) : null);

/** The OS user name, or a placeholder where the OS cannot say (some service accounts). */
function osUsername(): string {
  try {
    return os.userInfo().username || 'unknown-user';
  } catch {
    return 'unknown-user';
  }
}
