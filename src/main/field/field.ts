import { performance } from 'node:perf_hooks';
import type { HealthCheck } from '../../shared/health';
import {
  PROTOCOL_VERSION,
  stationSubscriptions,
  topics,
  type AlarmDefinitionsMessage,
  type AlarmSnapshotMessage,
  type IncidentSnapshotMessage,
  type OperatorRecordMessage,
  type AlertMessage,
  type StationEventMessage,
  type ValveAckMessage,
  type PresenceMessage,
  type TopicKind,
  type AuditHeadMessage,
} from '../../shared/protocol';
import { describeRefusals, type BrokerRefusal, type LinkState } from '../../shared/field';
import type { Config } from '../config';
import { guardTick, type Logger } from '../log';
import type { Telemetry } from '../telemetry/telemetry';
import type { IngestCounters } from './counters';
import { Ingest, type FieldIntake } from './ingest';
import { FieldLink } from './link';
import { FieldState } from './state';

/** Who hears what the field says: the station wires these to the rooms that act on them. */
export interface FieldEvents {
  onLink(state: LinkState): void;
  onChange(kind: TopicKind, id: string): void;
  onAck(valveId: string, ack: ValveAckMessage): void;
  onAlert(alert: AlertMessage): void;
  onAlarmSnapshot(snapshot: AlarmSnapshotMessage): void;
  onIncidentSnapshot(snapshot: IncidentSnapshotMessage): void;
  /** A station event from any station, this one included; the receiver deduplicates. */
  onStationEvent(event: StationEventMessage): void;
  /** The site's alarm definitions as published (retained) by the station that changed them. */
  onAlarmDefinitions(message: AlarmDefinitionsMessage): void;
  /** A site-wide operator account as a station holds it (retained), with that station's id. */
  onOperatorRecord(message: OperatorRecordMessage, station: string): void;
  /** A telemetry sample taken, after it went to telemetry: the hot path, keep it cheap. */
  onSample(point: string, ts: number, value: number, quality: string): void;
  /** What the broker refuses this station, by topic (after each session setup and on change). */
  onRefusals?(refusals: BrokerRefusal[]): void;
  /** What the rooms above add to the status line and the link's health (the outbox's backlog). */
  details(): Record<string, unknown>;
  /** A station's or gateway's presence as published (the fleet listens). */
  onPresence?(kind: 'station' | 'gateway', id: string, message: PresenceMessage): void;
  /** A station's audit chain head as published (the fleet keeps the latest of each). */
  onAuditHead?(message: AuditHeadMessage): void;
}

export interface FieldOptions {
  config: Config;
  /** Where what the field sends is written (ingest hands samples and state to it). */
  telemetry: Telemetry;
  counters: IngestCounters;
  /** The broker to use: the site's, or the embedded DEMO broker. */
  brokerUrl: string;
  protocolVersion: 'auto' | 4 | 5;
  secret: (name: 'mqtt-password' | 'mqtt-key-passphrase') => Promise<string | null>;
  log: Logger;
  now: () => Date;
  /** Monotonic milliseconds (default: performance.now()). */
  monotonic?: () => number;
  /**
   * What the station's birth reports beyond `{v, status, ts}` (version, schema, ...), read at
   * each birth; `goodbye` is what its clean-stop `offline` keeps of it. The will stays small.
   */
  birth?: { online: () => Record<string, unknown>; goodbye: () => Record<string, unknown> };
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

/**
 * The station's side of the field: the MQTT link, ingest (validate, count, apply) and the
 * latest state of the site in memory with its quality. What ingest takes goes to telemetry;
 * what the field says goes to the `FieldEvents` given at start.
 */
export class Field {
  readonly state: FieldState;
  readonly counters: IngestCounters;
  readonly link: FieldLink;
  private ingest: Ingest | null = null;
  private events: FieldEvents | null = null;
  private readonly steady: () => number;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly o: FieldOptions) {
    const { config, telemetry } = o;
    const nowMs = () => o.now().getTime();
    // When a value was received and how old it is are durations: a wall clock set back an hour
    // must not keep a dead value fresh for that hour, nor one set forward make a fresh one stale.
    const steady = (this.steady = steadyClock(nowMs, o.monotonic ?? (() => performance.now())));
    this.state = new FieldState(config.siteId, config.staleAfterSec * 1000, steady);
    this.counters = o.counters;
    this.link = this.createLink();
    telemetry.writer.onCommitted((upTo) => this.link.commitDone(upTo));
  }

  private createLink(): FieldLink {
    const { config, log, now } = this.o;
    const presence =
      (status: 'online' | 'offline', extra: () => Record<string, unknown> = () => ({})) =>
      () =>
        JSON.stringify({ v: PROTOCOL_VERSION, status, ts: now().toISOString(), ...extra() });
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
      allowPlaintextPassword: config.allowPlaintextPassword,
      onRefusals: (refusals) => this.events?.onRefusals?.(refusals),
      presence: {
        topic: topics.stationPresence(config.siteId, config.stationId),
        online: presence('online', this.o.birth?.online),
        offline: presence('offline'),
        goodbye: presence('offline', this.o.birth?.goodbye),
      },
      subscriptions: stationSubscriptions(config.siteId, { acceptV1: config.acceptV1 }),
      log: log.child('link'),
      now,
      // Messages arrive only once the link is started, and ingest exists from then.
      onMessage: (topic, payload) => this.ingest!.handle(topic, payload),
      writeSequence: () => this.o.telemetry.writer.sequence,
      onState: (s) => {
        this.state.linkOnline = s.status === 'online';
        if (s.status === 'online') {
          // Once retained state has had a moment to arrive, say what the field looks like.
          const t = setTimeout(() => this.logStatusGuarded(), 2000);
          t.unref();
          this.timers.push(t);
        }
        this.events?.onLink(s);
      },
    });
  }

  /**
   * Serves the last known state from the store at once, then connects; from now on what the
   * field says goes to `events`.
   */
  start(events: FieldEvents): void {
    this.events = events;
    this.ingest = new Ingest(this.state, this.o.telemetry, this.counters, events, this.steady, this.o.config.acceptV1);
    this.state.restore(this.o.telemetry.lastKnown());
    this.o.telemetry.start();
    this.link.start();
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(POINT_FLUSH_MS, () => this.o.telemetry.saveLatest(this.state.points.values()));
    every(this.o.config.statusIntervalSec * 1000, () => this.logStatusGuarded());
  }

  /** From a timer: the status line reads the store (the outbox backlog), and a read can fail. */
  private logStatusGuarded(): void {
    guardTick(this.o.log, 'the field status line', () => this.logStatus());
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
      ...this.events?.details(),
    });
  }

  /** Stops the link, then writes everything still pending: nothing received is lost. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.link.stop();
    await this.o.telemetry.stop(this.state.points.values());
  }

  /**
   * The way into the field state for another field protocol (the Sparkplug host): the same
   * paths ingest takes for the Plainview topics. Exists once the field is started.
   */
  intake(): FieldIntake {
    if (!this.ingest) throw new Error('the field is not started');
    return this.ingest;
  }

  /** Writes what ingest holds now (a command row must find its valve in the store). */
  flushWrites(): void {
    this.o.telemetry.writer.flush();
  }

  check(): HealthCheck {
    const s = this.link.state;
    const quality = this.state.qualitySummary();
    const facts = this.link.facts();
    const details = {
      link: s,
      ingest: this.counters.snapshot(),
      quality,
      ...this.events?.details(),
      connection_attempts: this.link.attempts,
      mqtt_version: facts.protocol,
      mqtt_version_setting: facts.protocolSetting,
      broker_refusals: facts.refusals,
      ...(facts.warnings.length ? { warnings: facts.warnings } : {}),
    };
    if (s.status === 'online') {
      if (this.counters.dropped > 0)
        return {
          status: 'degraded',
          reason: `ingest fell behind: ${this.counters.dropped} telemetry samples dropped (oldest first)`,
          details,
        };
      if (facts.refusals.length)
        return { status: 'degraded', reason: `the broker refuses ${describeRefusals(facts.refusals)}`, details };
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
