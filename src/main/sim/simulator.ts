import { randomUUID } from 'node:crypto';
import {
  PIPELINEGUARD_ACCOUNT,
  type SiteMessage,
  type ValveAckMessage,
  type ValveCommandMessage,
} from '../../shared/protocol';
import type { SparkplugMapping } from '../../shared/sparkplug';
import type { Logger } from '../log';
import { Actuator, type Outcome } from './actuator';
import { Gateway } from './gateway';
import { buildLayout, type SegmentSpec, type SiteLayout, type ValveSpec } from './layout';
import { LineModel } from './line-model';
import { resolveOptions, SimulatorError, type FieldSimulatorOptions, type ResolvedOptions } from './options';
import { seededRandom } from './random';
import { parseCommand, RecentIds } from './commands';
import { SiteHost } from './site-host';
import { SparkplugGateway, type SimGateway } from './sparkplug-gateway';
import { simSparkplugMapping } from './sparkplug-mapping';
import { TelemetryFeed } from './telemetry';
import { decide, newValve, RejectReason, type SimValve } from './valve';

const STOP_TIMEOUT_MS = 2000;

/** A valve as the simulator holds it: what a test or a training UI may look at. */
export interface ValveInfo extends Omit<ValveSpec, 'initialPosition' | 'segmentIndex'> {
  state: SimValve['state'];
  position: number;
  localControl: boolean;
  fault: string | null;
}

/** A transmitter made to drift: how fast, and how far from the truth it reads now. */
export interface DriftStatus {
  point: string;
  unit: string;
  perMinute: number;
  offset: number;
}

export interface SimulatorStats {
  samplesSent: number;
  /** Samples not sent because their gateway was down or disconnected. */
  samplesSkipped: number;
  commandsReceived: number;
  commandsInvalid: number;
  commandsDuplicate: number;
  acks: Record<ValveAckMessage['status'], number>;
}

/**
 * A simulated pipeline field for DEMO and training: gateways with valves and instruments
 * speaking Plainview protocol v2 (or v1, to test a transition) over a real MQTT broker, with faults to inject on demand.
 * Everything is per instance (no module state), so tests can run several side by side.
 */
export class FieldSimulator {
  readonly layout: SiteLayout;
  private readonly o: ResolvedOptions;
  private readonly log: Logger;
  private readonly valves = new Map<string, SimValve>();
  private readonly gateways = new Map<string, SimGateway>();
  private readonly host: SiteHost;
  private readonly model: LineModel;
  private readonly telemetry: TelemetryFeed;
  private readonly actuator: Actuator;
  private readonly seen = new RecentIds(4096);
  private readonly pointIndex = new Map<string, number>();
  /** The command each moving valve is carrying out, to acknowledge when it ends. */
  private readonly inFlight = new Map<string, string>();
  private readonly counters: SimulatorStats = {
    samplesSent: 0,
    samplesSkipped: 0,
    commandsReceived: 0,
    commandsInvalid: 0,
    commandsDuplicate: 0,
    acks: { accepted: 0, rejected: 0, completed: 0, failed: 0 },
  };
  private running = false;

  constructor(options: FieldSimulatorOptions) {
    this.o = resolveOptions(options);
    this.log = this.o.log.child('sim', { site: this.o.site });
    this.layout = buildLayout(this.o.valves, this.o.gateways);
    for (const spec of this.layout.valves) this.valves.set(spec.id, newValve(spec));
    for (const id of this.layout.gateways) this.gateways.set(id, this.newGateway(id));
    this.host = new SiteHost({
      ...this.linkBase(),
      credentials: this.o.credentials(PIPELINEGUARD_ACCOUNT),
      log: this.log.child('site'),
      description: this.siteMessage(),
    });
    this.model = new LineModel(this.layout, this.valves, seededRandom(this.o.seed), () => this.o.now().getTime());
    this.layout.points.forEach((p, i) => this.pointIndex.set(p.id, i));
    this.telemetry = new TelemetryFeed({
      layout: this.layout,
      gateways: this.layout.points.map((p) => this.gatewayOrThrow(p.gateway)),
      valves: this.valves,
      model: this.model,
      rate: this.o.rate,
      now: this.o.now,
      v: this.o.protocol,
      counters: this.counters,
    });
    this.actuator = new Actuator(this.o.strokeMs, {
      changed: (v) => this.valveChanged(v),
      finished: (v, outcome) => this.movementEnded(v, outcome),
    });
  }

  get site(): string {
    return this.o.site;
  }

  /** Connects the site host and every gateway, waits for all of them, then starts telemetry. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const links = [this.host.open(), ...[...this.gateways.values()].map((g) => g.open())];
    try {
      await Promise.all(links.map((l) => l.waitConnected(this.o.connectTimeoutMs)));
    } catch (err) {
      await this.shutdown();
      throw new SimulatorError(`cannot connect to the broker: ${(err as Error).message}`);
    }
    this.telemetry.start();
    this.log.info('simulator started', {
      broker: this.o.brokerUrl,
      valves: this.valves.size,
      segments: this.layout.segments.length,
      points: this.layout.points.length,
      gateways: this.gateways.size,
      rate: this.o.rate,
      demo: this.o.demo,
    });
  }

  /** Stops telemetry and movements; each gateway says `offline` and disconnects cleanly. */
  async stop(): Promise<void> {
    if (!this.running) return;
    await this.shutdown();
    this.log.info('simulator stopped', { samples: this.counters.samplesSent });
  }

  private async shutdown(): Promise<void> {
    this.running = false;
    this.telemetry.stop();
    this.actuator.stop();
    this.inFlight.clear();
    await Promise.all([
      this.host.close(STOP_TIMEOUT_MS),
      ...[...this.gateways.values()].map((g) => g.close(STOP_TIMEOUT_MS)),
    ]);
  }

  // ---- looking in -------------------------------------------------------------------

  valve(id: string): ValveInfo {
    const v = this.valveOrThrow(id);
    const { initialPosition: _i, segmentIndex: _s, ...spec } = v.spec;
    return { ...spec, state: v.state, position: v.position, localControl: v.localControl, fault: v.fault };
  }

  listValves(): ValveInfo[] {
    return [...this.valves.keys()].map((id) => this.valve(id));
  }

  /** Whether the gateway is connected (false after dropGateway, and while reconnecting). */
  gatewayOnline(id: string): boolean {
    return this.gatewayOrThrow(id).connected;
  }

  /** Segments with a leak raised, in order along the line. */
  leaks(): string[] {
    return this.model.leakingSegments().map((i) => this.layout.segments[i]?.id ?? String(i));
  }

  /** Transmitters drifting now. */
  drifts(): DriftStatus[] {
    return this.model.listDrifts().map(({ index, perMinute, offset }) => {
      const p = this.layout.points[index];
      return { point: p?.id ?? String(index), unit: p?.unit ?? '', perMinute, offset };
    });
  }

  stats(): SimulatorStats {
    return { ...this.counters, acks: { ...this.counters.acks } };
  }

  // ---- fault injection --------------------------------------------------------------

  /** The valve's next accepted command does not move it: `accepted`, then `failed`, state `fault`. */
  stickValve(id: string): void {
    this.valveOrThrow(id).sticky = true;
    this.log.info('fault injected: valve will stick', { valve: id });
  }

  /** Repairs the valve: no fault, not sticky, at rest where it stands. */
  clearFault(id: string): void {
    const v = this.valveOrThrow(id);
    v.sticky = false;
    v.fault = null;
    if (v.state === 'fault') v.state = v.position > 0 ? 'open' : 'closed';
    this.valveChanged(v);
    this.log.info('fault cleared', { valve: id });
  }

  /** Local (field) control refuses remote commands while on. */
  setLocalControl(id: string, on: boolean): void {
    const v = this.valveOrThrow(id);
    v.localControl = on;
    this.valveChanged(v);
    this.log.info('local control', { valve: id, on });
  }

  /** The gateway's connection dies without a goodbye: the broker publishes its `offline` will. */
  dropGateway(id: string): void {
    this.gatewayOrThrow(id).kill();
    this.log.warn('fault injected: gateway dropped', { gateway: id });
  }

  /** Reconnects a dropped gateway; resolves once it has said `online` and republished its valves. */
  async restoreGateway(id: string): Promise<void> {
    const link = this.gatewayOrThrow(id).open();
    await link.waitConnected(this.o.connectTimeoutMs);
  }

  /** A pressure drop on the segment and a critical PipelineGuard alert, retained. */
  raiseLeak(segment: string): void {
    const s = this.segmentOrThrow(segment);
    this.model.setLeak(s.seq - 1, true);
    this.host.raiseLeak(s.id, `PipelineGuard: suspected leak on ${s.name}, pressure falling`);
    this.telemetry.sendSegment(s.id);
    this.log.warn('fault injected: leak', { segment });
  }

  /** Pressure recovers; the alert is republished as `cleared`. */
  clearLeak(segment: string): void {
    const s = this.segmentOrThrow(segment);
    this.model.setLeak(s.seq - 1, false);
    this.host.clearLeak(s.id, `PipelineGuard: leak on ${s.name} cleared, pressure back to normal`);
    this.telemetry.sendSegment(s.id);
    this.log.info('leak cleared', { segment });
  }

  /**
   * The point's reading drifts away from the truth by `perMinute` (its unit) each minute,
   * from where it reads now, until clearDrift: a transmitter going out of calibration.
   * Its quality stays `good`, as a drifting transmitter's does.
   */
  driftPoint(pointId: string, perMinute: number): void {
    if (!Number.isFinite(perMinute) || perMinute === 0) {
      throw new SimulatorError(`a drift is a number of units per minute other than 0, not ${perMinute}`);
    }
    this.model.setDrift(this.pointOrThrow(pointId), perMinute);
    this.log.warn('fault injected: transmitter drifting', { point: pointId, perMinute });
  }

  /** The point reads the truth again (the transmitter recalibrated); false if it was not drifting. */
  clearDrift(pointId: string): boolean {
    const was = this.model.clearDrift(this.pointOrThrow(pointId));
    if (was) this.log.info('drift cleared', { point: pointId });
    return was;
  }

  // ---- field-side moves -------------------------------------------------------------

  /**
   * Moves the valve in the field (a field operator at the handwheel or the local panel), not
   * by command: it travels as for a command and its state is published, but no command is
   * acknowledged. Refused while it moves or is in fault; a valve made sticky sticks. An
   * open/close valve goes to 0 or 100 only. False if it already stands there.
   */
  moveValve(id: string, position: number): boolean {
    const v = this.valveOrThrow(id);
    if (!Number.isFinite(position) || position < 0 || position > 100) {
      throw new SimulatorError(`a valve position is from 0 to 100 %, not ${position}`);
    }
    if (!v.spec.supportsPosition && position !== 0 && position !== 100) {
      throw new SimulatorError(`${id} is a ${v.spec.role} valve without a positioner: it goes to 0 or 100 % only`);
    }
    if (v.state === 'fault')
      throw new SimulatorError(`${id} is in fault (${v.fault ?? 'no reason'}): unstick it first`);
    if (v.state === 'opening' || v.state === 'closing') {
      throw new SimulatorError(`${id} is ${v.state}: wait until it stops`);
    }
    if (Math.abs(position - v.position) < 0.5) return false;
    this.log.info('valve moved in the field', { valve: id, from: v.position, to: position });
    this.actuator.move(v, position);
    return true;
  }

  // ---- commands ---------------------------------------------------------------------

  private onCommand(valveId: string, payload: Buffer): void {
    this.counters.commandsReceived += 1;
    const parsed = parseCommand(payload, valveId);
    if (!parsed.ok) {
      this.counters.commandsInvalid += 1;
      this.log.warn('invalid command', { valve: valveId, error: parsed.error });
      if (parsed.id) this.ack(valveId, parsed.id, 'rejected', `${RejectReason.invalid}: ${parsed.error}`);
      return;
    }
    const cmd = parsed.command;
    if (!this.seen.add(cmd.id)) {
      this.counters.commandsDuplicate += 1;
      return this.log.debug('duplicate command ignored', { valve: valveId, command: cmd.id });
    }
    this.execute(valveId, cmd);
  }

  /**
   * A Sparkplug metric write (`--sparkplug`): the same field behaviour as a Plainview command.
   * Sparkplug commands carry no id or expiry (QoS 0, never retained: never replayed), so the
   * simulator gives it an id of its own for its log and an expiry that has not passed.
   */
  private onSparkplugCommand(valveId: string, action: ValveCommandMessage['action'], position: number | null): void {
    this.counters.commandsReceived += 1;
    const now = this.o.now();
    this.execute(valveId, {
      v: 1,
      id: randomUUID(),
      valve: valveId,
      action,
      position,
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 60_000).toISOString(),
      operator: 'sparkplug host',
      station: 'sparkplug',
    });
  }

  private execute(valveId: string, cmd: ValveCommandMessage): void {
    const valve = this.valveOrThrow(valveId);
    const decision = decide(valve, cmd, this.o.now());
    const fields = { valve: valveId, command: cmd.id, action: cmd.action, operator: cmd.operator };
    if ('reject' in decision) {
      this.log.info('command rejected', { ...fields, reason: decision.reject });
      return this.ack(valveId, cmd.id, 'rejected', decision.reject);
    }
    this.log.info('command accepted', fields);
    this.ack(valveId, cmd.id, 'accepted', null);
    this.inFlight.set(valveId, cmd.id);
    this.actuator.move(valve, decision.target);
  }

  private movementEnded(valve: SimValve, outcome: Outcome): void {
    const id = this.inFlight.get(valve.spec.id);
    this.inFlight.delete(valve.spec.id);
    if (!id) return this.log.info(`field move ${outcome.status}`, { valve: valve.spec.id, position: valve.position });
    const reason = outcome.status === 'failed' ? outcome.reason : null;
    this.log.info(`command ${outcome.status}`, { valve: valve.spec.id, command: id, reason });
    this.ack(valve.spec.id, id, outcome.status, reason);
  }

  private ack(valveId: string, commandId: string, status: ValveAckMessage['status'], reason: string | null): void {
    this.counters.acks[status] += 1;
    const ack: ValveAckMessage = { v: this.o.protocol, commandId, status, reason, ts: this.o.now().toISOString() };
    this.gatewayOfValve(valveId).publishAck(valveId, ack);
  }

  private valveChanged(valve: SimValve): void {
    this.model.invalidate();
    this.gatewayOfValve(valve.spec.id).publishState(valve);
  }

  // ---- building ---------------------------------------------------------------------

  private siteMessage(): SiteMessage {
    const segments = this.layout.segments.map((s) => ({ id: s.id, name: s.name, seq: s.seq }));
    return { v: this.o.protocol, name: this.o.siteName, demo: this.o.demo, segments };
  }

  private linkBase() {
    const { site, brokerUrl: url, protocolVersion, now, protocol } = this.o;
    return { site, url, protocolVersion, now, protocol };
  }

  /** The site mapping a station needs for this simulator's Sparkplug mode (docs/sparkplug.md). */
  sparkplugMapping(): SparkplugMapping {
    return simSparkplugMapping(this.layout, {
      site: this.o.site,
      siteName: this.o.siteName,
      demo: this.o.demo,
      staleAfterMs: this.staleAfterMs(),
    });
  }

  private newGateway(id: string): SimGateway {
    const valves = [...this.valves.values()].filter((v) => v.spec.gateway === id);
    const points = this.layout.points.filter((p) => p.gateway === id);
    if (this.o.sparkplug)
      return new SparkplugGateway({
        ...this.linkBase(),
        id,
        group: this.o.site,
        log: this.log.child('edge', { node: id }),
        valves,
        points,
        onCommand: (valveId, action, position) => this.onSparkplugCommand(valveId, action, position),
      });
    return new Gateway({
      ...this.linkBase(),
      id,
      credentials: this.o.credentials(id),
      log: this.log.child('gateway', { gateway: id }),
      valves,
      points,
      staleAfterMs: this.staleAfterMs(),
      onCommand: (valveId, payload) => this.onCommand(valveId, payload),
    });
  }

  /** Three sample intervals of one point, at least 5 s: late enough not to flap, soon enough to notice. */
  private staleAfterMs(): number | null {
    if (this.o.rate <= 0) return null;
    return Math.max(5000, Math.ceil((3000 * this.layout.points.length) / this.o.rate));
  }

  private valveOrThrow(id: string): SimValve {
    const v = this.valves.get(id);
    if (!v) throw new SimulatorError(`no valve ${id}: the valves are ${range(this.layout.valves)}`);
    return v;
  }

  private gatewayOrThrow(id: string): SimGateway {
    const g = this.gateways.get(id);
    if (!g)
      throw new SimulatorError(
        `no gateway ${id}: the gateways are ${range(this.layout.gateways.map((x) => ({ id: x })))}`,
      );
    return g;
  }

  private gatewayOfValve(valveId: string): SimGateway {
    return this.gatewayOrThrow(this.valveOrThrow(valveId).spec.gateway);
  }

  private segmentOrThrow(id: string): SegmentSpec {
    const s = this.layout.segments.find((x) => x.id === id);
    if (!s) throw new SimulatorError(`no segment ${id}: the segments are ${range(this.layout.segments)}`);
    return s;
  }

  private pointOrThrow(id: string): number {
    const i = this.pointIndex.get(id);
    if (i === undefined) {
      const { segments: s, valves: v } = this.layout;
      throw new SimulatorError(
        `no point ${id}: the points are {segment}-pressure and {segment}-flow (${range(s)}) and {valve}-position (${range(v)})`,
      );
    }
    return i;
  }
}

/** "a to b" (or just "a"): ids are numbered in order, so the first and last say it all. */
function range(items: readonly { id: string }[]): string {
  const first = items[0]?.id ?? 'none';
  const last = items.at(-1)?.id ?? first;
  return first === last ? first : `${first} to ${last}`;
}
