import { performance } from 'node:perf_hooks';
import type { Database } from 'better-sqlite3';
import type { HealthCheck } from '../../shared/health';
import {
  stationSubscriptions,
  topics,
  type AlarmSnapshotMessage,
  type IncidentSnapshotMessage,
  type AlertMessage,
  type StationEventMessage,
  type ValveAckMessage,
  type TopicKind,
} from '../../shared/protocol';
import type { Config } from '../config';
import type { Logger } from '../log';
import { IngestCounters } from './counters';
import { Ingest } from './ingest';
import { FieldLink } from './link';
import type { LinkState } from './link-state';
import { Outbox } from './outbox';
import { Retention } from './retention';
import { RollupAccumulator } from './rollups';
import { StationEvents } from './station-events';
import { FieldState } from './state';
import { changedPoints, loadLastKnown, saveLatestPoints } from './last-known';
import { FieldWriter } from './writer';
import { WorkerSampleSink } from './sample-sink';
import { FieldPush } from './push';
import { Trends } from './trends';

export interface FieldEvents {
  onLink(state: LinkState): void;
  onChange(kind: TopicKind, id: string): void;
  onAck(valveId: string, ack: ValveAckMessage): void;
  onAlert(alert: AlertMessage): void;
  onAlarmSnapshot(snapshot: AlarmSnapshotMessage): void;
  onIncidentSnapshot(snapshot: IncidentSnapshotMessage): void;
  onStationEvent(event: StationEventMessage): void;
}

export interface FieldOptions {
  config: Config;
  db: Database;
  /** The broker to use: the site's, or the embedded DEMO broker. */
  brokerUrl: string;
  protocolVersion: 4 | 5;
  secret: (name: 'mqtt-password' | 'mqtt-key-passphrase') => Promise<string | null>;
  log: Logger;
  now: () => Date;
  /** Monotonic milliseconds (default: performance.now()). */
  monotonic?: () => number;
  events: FieldEvents;
}

const POINT_FLUSH_MS = 2000;

/**
 * Epoch milliseconds that advance with the monotonic clock from the wall time at start: a step
 * of the wall clock (set back or forward by hand, or by a time service) does not move it.
 */
export function steadyClock(now: () => number, monotonic: () => number): () => number {
  const base = now() - monotonic();
  return () => base + monotonic();
}
const ROLLUP_SWEEP_MS = 10_000;

/**
 * The station's side of the field: the MQTT link, ingest into memory and the store, data
 * quality, retention and the outbox, wired together. Started and stopped by the station.
 */
export class Field {
  readonly state: FieldState;
  readonly counters: IngestCounters;
  readonly link: FieldLink;
  readonly outbox: Outbox;
  readonly stationEvents: StationEvents;
  readonly retention: Retention;
  /** Coalesced changes for the consoles. */
  readonly push: FieldPush;
  readonly trends: Trends;
  private readonly writer: FieldWriter;
  private readonly sink: WorkerSampleSink | null;
  private readonly rollups = new RollupAccumulator();
  private readonly ingest: Ingest;
  private timers: NodeJS.Timeout[] = [];
  private readonly savedPoints = new Map<string, number>();

  constructor(private readonly o: FieldOptions) {
    const { config, db, log } = o;
    const nowMs = () => o.now().getTime();
    // When a value was received and how old it is are durations: a wall clock set back an hour
    // must not keep a dead value fresh for that hour, nor one set forward make a fresh one stale.
    const steady = steadyClock(nowMs, o.monotonic ?? (() => performance.now()));
    this.state = new FieldState(config.siteId, config.staleAfterSec * 1000, steady);
    this.counters = new IngestCounters(log.child('ingest'), nowMs);
    this.push = new FieldPush(this.state, log.child('push'));
    this.link = this.createLink();
    // Samples are committed on a thread of their own (the main thread keeps serving operators);
    // an in-memory database (tests of pure logic) has no file another thread could open.
    this.sink = db.memory ? null : WorkerSampleSink.start(db.name, log.child('writer'));
    this.writer = new FieldWriter(
      db,
      config.siteId,
      config.ingestQueueMax,
      this.counters,
      log.child('writer'),
      (upTo) => this.link.commitDone(upTo),
      this.sink,
    );
    this.outbox = new Outbox(db, this.link, log.child('outbox'), o.now);
    this.stationEvents = new StationEvents(db, this.outbox, config.siteId, config.stationId, o.now, (e) =>
      o.events.onStationEvent(e),
    );
    this.ingest = new Ingest(
      this.state,
      this.writer,
      this.rollups,
      this.counters,
      {
        onAck: (id, ack) => o.events.onAck(id, ack),
        onAlert: (alert) => o.events.onAlert(alert),
        onAlarmSnapshot: (snapshot) => o.events.onAlarmSnapshot(snapshot),
        onIncidentSnapshot: (snapshot) => o.events.onIncidentSnapshot(snapshot),
        onStationEvent: (e) => void this.stationEvents.receive(e),
        onChange: (kind, id) => o.events.onChange(kind, id),
      },
      steady,
    );
    this.trends = new Trends(db);
    this.retention = new Retention(
      db,
      config.rawRetentionDays,
      config.rollupRetentionDays,
      log.child('retention'),
      nowMs,
    );
  }

  private createLink(): FieldLink {
    const { config, log, now } = this.o;
    const presence = (status: 'online' | 'offline') => () => JSON.stringify({ v: 1, status, ts: now().toISOString() });
    return new FieldLink({
      url: this.o.brokerUrl,
      clientId: `plainview-${config.siteId}-${config.stationId}`.slice(0, 64),
      username: config.mqttUsername,
      password: async () => {
        if (!config.mqttUsername) return null;
        const password = await this.o.secret('mqtt-password');
        // Connecting without it would only be refused: say what to do instead.
        if (password === null)
          throw new Error('no MQTT password in the OS keychain: run `plainview secrets set mqtt-password`');
        return password;
      },
      tls: {
        caFile: config.mqttCaFile,
        certFile: config.mqttCertFile,
        keyFile: config.mqttKeyFile,
        passphrase: () => this.o.secret('mqtt-key-passphrase'),
      },
      keepaliveSec: config.mqttKeepaliveSec,
      protocolVersion: this.o.protocolVersion,
      presence: {
        topic: topics.stationPresence(config.siteId, config.stationId),
        online: presence('online'),
        offline: presence('offline'),
      },
      subscriptions: stationSubscriptions(config.siteId),
      log: log.child('link'),
      now,
      onMessage: (topic, payload) => this.ingest.handle(topic, payload),
      writeSequence: () => this.writer.sequence,
      onState: (s) => {
        this.state.linkOnline = s.status === 'online';
        this.push.onLink(s);
        if (s.status === 'online') {
          this.outbox.onOnline();
          // Once retained state has had a moment to arrive, say what the field looks like.
          const t = setTimeout(() => this.logStatus(), 2000);
          t.unref();
          this.timers.push(t);
        }
        this.o.events.onLink(s);
      },
    });
  }

  /** Serves the last known state from the store at once, then connects. */
  start(): void {
    loadLastKnown(this.o.db, this.state);
    this.link.start();
    this.outbox.start();
    this.retention.start();
    this.push.start();
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(POINT_FLUSH_MS, () => this.savePoints());
    every(ROLLUP_SWEEP_MS, () => this.writer.addRollups(this.rollups.sweep(this.o.now().getTime())));
    every(this.o.config.statusIntervalSec * 1000, () => this.logStatus());
  }

  /** One line an IT admin can read in the log: is the field there, fresh, and clean? */
  logStatus(): void {
    const q = this.state.qualitySummary();
    const c = this.counters.snapshot();
    this.o.log.info('field status', {
      link: this.link.state.status,
      valves: q.valves,
      points: q.points,
      rejected: c.rejected_total,
      dropped_samples: c.dropped_samples,
      outbox_unsent: this.outbox.unsentCount(),
    });
  }

  /** Stops the link, then writes everything still pending: nothing received is lost. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.retention.stop();
    this.push.stop();
    this.outbox.stop();
    await this.link.stop();
    this.writer.addRollups(this.rollups.drain());
    if (!(await this.writer.drain()))
      this.o.log.error('some telemetry samples could not be written before stopping', {
        pending: this.writer.pendingCount(),
      });
    this.writer.stop();
    await this.sink?.close();
    // The writer thread is closed: the last values are written here.
    try {
      saveLatestPoints(this.o.db, this.state, this.savedPoints);
    } catch (err) {
      this.o.log.warn('saving latest point values failed', { error: err });
    }
  }

  /** Writes what ingest holds now (a command row must find its valve in the store). */
  flushWrites(): void {
    this.writer.flush();
  }

  private savePoints(): void {
    try {
      // On the writer thread when there is one; at stop (thread closed) and without one, here.
      if (this.writer.addLatest(changedPoints(this.state, this.savedPoints))) return;
      saveLatestPoints(this.o.db, this.state, this.savedPoints);
    } catch (err) {
      this.o.log.warn('saving latest point values failed; will retry', { error: err });
    }
  }

  check(): HealthCheck {
    const s = this.link.state;
    const quality = this.state.qualitySummary();
    const details = {
      link: s,
      ingest: this.counters.snapshot(),
      quality,
      outbox_unsent: this.outbox.unsentCount(),
      connection_attempts: this.link.attempts,
    };
    if (s.status === 'online') {
      if (this.counters.dropped > 0)
        return {
          status: 'degraded',
          reason: `ingest fell behind: ${this.counters.dropped} telemetry samples dropped (oldest first)`,
          details,
        };
      return { status: 'ok', details };
    }
    if (s.status === 'offline')
      return {
        status: 'degraded',
        reason: `offline since ${s.since} (${s.reason}); next attempt at ${s.nextAttemptAt}`,
        details,
      };
    if (s.status === 'auth_failed')
      return {
        status: 'degraded',
        reason: `the broker refused the credentials (${s.reason}); next attempt at ${s.nextAttemptAt}`,
        details,
      };
    if (s.status === 'connecting') return { status: 'degraded', reason: `connecting (attempt ${s.attempt})`, details };
    return { status: 'down', reason: 'the field link is stopped', details };
  }
}
