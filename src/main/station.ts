import os from 'node:os';
import type { AppInfo } from '../shared/system';
import { quietUpdateStatus } from '../shared/update';
import { EventBus, type StationEvents } from './bus';
import { CallScope } from './calls';
import { demoRefusal, type Config } from './config';
import { configHash } from './config/show';
import { redactUrl } from './config/url';
import { busCheck, HealthService } from './health';
import { scopedHandlers, stationHandlers } from './ipc/handlers';
import type { Handlers } from './ipc/router';
import { createLogger, type Logger } from './log';
import { appName, appVersion } from './version';
import { buildRooms, type Running, type StationDeps, type Wiring } from './rooms';

export type { Running, StationDeps };

export interface Station {
  readonly config: Config;
  readonly log: Logger;
  readonly bus: EventBus<StationEvents>;
  readonly health: HealthService;
  /** The IPC handlers, ready for any transport (Electron IPC, the test WebSocket, the HTTP API). */
  readonly handlers: Handlers;
  start(): Promise<Running>;
  stop(): Promise<void>;
  running(): Running;
  info(): AppInfo;
}

/**
 * The one composition root: the Electron shell, `plainview station`, the tests and the
 * benchmarks all start the same station through here. It builds the rooms in dependency order
 * and connects them; what each does is in its room. Nothing is a module-level singleton.
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
  let state: Running | null = null;
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
    dataFolderNote: state?.dataFolderNote ?? null,
    alarmSound: config.alarmSound,
    runtime: { node: process.versions.node, electron: deps.runtime?.electron, ...platform() },
  });
  const down = (reason: string) => ({ status: 'down' as const, reason });
  health.register('database', () =>
    state ? (state.storage.check() ?? state.store.check()) : down('the database is not open'),
  );
  health.register('mqtt', () => (state ? state.field.check() : down('the station is not running')));
  health.register('event_bus', () => busCheck(bus.getStats(), now().getTime()));
  health.reportDemo(() => (state ? state.demo !== null : !config.mqttUrl && !config.requirePolicy));
  const updateStatus = () =>
    deps.updates?.()?.status() ?? quietUpdateStatus('unsupported', config.updateChannel, appVersion);
  const handlers = scopedHandlers(
    stationHandlers({
      rooms: running,
      health,
      info,
      now,
      apiStatus: () => running().api.status(),
      updates: () => deps.updates?.() ?? null,
      updateStatus,
      actingIdentity: () => calls.current()?.identity ?? state?.sessions.identity() ?? null,
      activityFromRenderer: deps.operatorInput !== 'shell',
    }),
    calls,
    () => state?.storage ?? null,
  );
  const wiring: Wiring = { config, deps, log, bus, calls, handlers, now, health: () => (state ? health.get() : null) };

  const start = async (): Promise<Running> => {
    if (state) return state;
    const refused = demoRefusal(config);
    if (refused) throw refused;
    state = await buildRooms(wiring);
    bus.emit('station.started', { at: now().toISOString() });
    log.info('station ready', {
      site: config.siteId,
      station: config.stationId,
      data_dir: config.dataDir,
      schema_version: state.store.schemaVersion,
      version: appVersion,
      broker: config.mqttUrl ? redactUrl(config.mqttUrl) : `${state.demo?.url} (embedded DEMO broker)`,
    });
    if (state.demo)
      log.warn('DEMO / TRAINING SITE: no broker is configured (PLAINVIEW_MQTT_URL); the field is simulated');
    auditRun(state, 'station.start');
    return state;
  };

  const stop = async (): Promise<void> => {
    if (!state) return;
    const r = state;
    bus.emit('station.stopping', { at: now().toISOString() });
    auditRun(r, 'station.stop');
    state = null;
    await r.stop();
    log.info('station stopped');
  };

  /** Starts and stops are maintenance evidence: which version ran, with which settings, as whom. */
  const auditRun = (r: Running, action: 'station.start' | 'station.stop') => {
    try {
      r.auditor.record({
        actor: `os:${osUser()}`,
        action,
        subject: config.stationId,
        result: 'ok',
        detail: {
          version: appVersion,
          schema_version: r.store.schemaVersion,
          config_sha256: configHash(config),
          electron: deps.runtime?.electron ?? null,
          demo: r.demo !== null,
        },
      });
    } catch {
      // The auditor logged it; a station that cannot write its audit log still starts and stops.
    }
  };

  return { config, log, bus, health, handlers, start, stop, running, info };
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

const platform = () => ({ platform: process.platform, arch: process.arch });
