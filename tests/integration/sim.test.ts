import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { silentLogger } from '../../src/main/log';
import { TopicSafeId, ValveId } from '../../src/shared/ids';
import {
  FieldSimulator,
  leakAlertId,
  RejectReason,
  STUCK_REASON,
  type FieldSimulatorOptions,
} from '../../src/main/sim';
import {
  AlertMessage,
  parseTopic,
  PointMetaMessage,
  PresenceMessage,
  SiteMessage,
  StationEventMessage,
  TelemetryMessage,
  topics,
  ValveAckMessage,
  ValveCommandMessage,
  ValveStateMessage,
  type TopicKind,
  AlarmSnapshotMessage,
  AlarmDefinitionsMessage,
  IncidentSnapshotMessage,
  OperatorRecordMessage,
  AuditHeadMessage,
} from '../../src/shared/protocol';
import { startAedes, startMosquitto, type TestBroker } from '../helpers/brokers';
import { cleanEnv, runCli, startCli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const SCHEMAS: Record<TopicKind, z.ZodType> = {
  site: SiteMessage,
  valve_state: ValveStateMessage,
  valve_command: ValveCommandMessage,
  valve_ack: ValveAckMessage,
  point_meta: PointMetaMessage,
  telemetry: TelemetryMessage,
  alert: AlertMessage,
  alarm_snapshot: AlarmSnapshotMessage,
  incident_snapshot: IncidentSnapshotMessage,
  station_event: StationEventMessage,
  station_presence: PresenceMessage,
  gateway_presence: PresenceMessage,
  alarm_definitions: AlarmDefinitionsMessage,
  operator_record: OperatorRecordMessage,
  audit_head: AuditHeadMessage,
};

interface Received {
  topic: string;
  id: string;
  kind: TopicKind;
  retain: boolean;
  body: Record<string, unknown>;
}

/**
 * A plain mqtt.js client that records everything under a site and checks every payload
 * against the shared schemas, as a station would on ingest.
 */
class Probe {
  readonly messages: Received[] = [];
  readonly invalid: string[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => this.record(topic, payload, packet.retain));
  }

  static async connect(broker: TestBroker, filter: string): Promise<Probe> {
    const client = await connectAsync(broker.url, {
      protocolVersion: broker.mqtt5 ? 5 : 4,
      reconnectPeriod: 0,
      clientId: `probe-${randomUUID().slice(0, 8)}`,
    });
    const probe = new Probe(client);
    await client.subscribeAsync(filter, { qos: 1 });
    return probe;
  }

  /** Waits for a message, received before or after the call, that matches. */
  async find(match: (m: Received) => boolean, what: string, from = 0, timeoutMs = 60_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.slice(from).find(match);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  /** Waits until `count` messages match. */
  async count(match: (m: Received) => boolean, count: number, what: string): Promise<Received[]> {
    await this.find(() => this.messages.filter(match).length >= count, `${count} × ${what}`);
    return this.messages.filter(match);
  }

  async command(site: string, valve: string, fields: Partial<ValveCommandMessage> = {}): Promise<string> {
    const now = Date.now();
    const cmd: ValveCommandMessage = {
      v: 2,
      id: randomUUID(),
      valve,
      action: 'close',
      position: null,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 30_000).toISOString(),
      operator: 'alice',
      station: 'station-1',
      ...fields,
    };
    // To the valve's own gateway, as its state names it.
    const state = this.messages.find((m) => m.kind === 'valve_state' && m.id === valve);
    const gateway = typeof state?.body.gateway === 'string' ? state.body.gateway : 'gw-1';
    await this.client.publishAsync(topics.valveCommand(site, gateway, valve), JSON.stringify(cmd), { qos: 1 });
    return cmd.id;
  }

  /** The acks of one command, in the order they arrived, once `count` of them are in. */
  async acks(commandId: string, count: number): Promise<ValveAckMessage[]> {
    const mine = (m: Received) => m.kind === 'valve_ack' && m.body.commandId === commandId;
    return (await this.count(mine, count, `ack of ${commandId}`)).map((m) => ValveAckMessage.parse(m.body));
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }

  private record(topic: string, payload: Buffer, retain: boolean): void {
    const parsed = parseTopic(topic);
    if (!parsed) return void this.invalid.push(`${topic}: not a protocol topic`);
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return void this.invalid.push(`${topic}: not JSON`);
    }
    const check = SCHEMAS[parsed.kind].safeParse(body);
    if (!check.success) this.invalid.push(`${topic}: ${check.error.issues[0]?.message}`);
    this.messages.push({ topic, id: parsed.id, kind: parsed.kind, retain, body: body as Record<string, unknown> });
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** What a station joining now would be handed for one topic: the broker's retained message. */
async function retained(broker: TestBroker, topic: string, waitMs = 5000): Promise<Received> {
  const probe = await Probe.connect(broker, topic);
  try {
    const m = await probe.find((x) => x.topic === topic, `retained message on ${topic}`, 0, waitMs);
    expect(m.retain).toBe(true);
    expect(probe.invalid).toEqual([]);
    return m;
  } finally {
    await probe.close();
  }
}

/** Retries until `fn` passes: for state that is re-established by reconnecting clients. */
async function eventually<T>(fn: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const newSite = () => `test-${randomUUID().slice(0, 8)}`;
const body = <T>(m: Received) => m.body as T;

/** A telemetry sample of `point` with a value from `min` to `max`. */
const sample =
  (point: string, min = -Infinity, max = Infinity) =>
  (m: Received) => {
    if (m.kind !== 'telemetry' || m.id !== point) return false;
    const v = body<TelemetryMessage>(m).value;
    return v >= min && v <= max;
  };

/** Waits for the line below v-107 (segment 2's first block valve) to be shut: no flow, its 6 bar static head. */
async function shutBelowV107(probe: Probe, from: number): Promise<void> {
  for (const seg of ['seg-02', 'seg-03', 'seg-04']) {
    await probe.find(sample(`${seg}-flow`, 0, 5), `no flow on ${seg}`, from);
    await probe.find(sample(`${seg}-pressure`, 4.5, 7.5), `${seg} at its static head`, from);
  }
}

/** Least-squares line through the points: its slope, and the largest distance of a point from it. */
function fit(xs: number[], ys: number[]): { slope: number; worst: number } {
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  const [mx, my] = [mean(xs), mean(ys)];
  const sxy = xs.reduce((acc, x, i) => acc + (x - mx) * (ys[i]! - my), 0);
  const sxx = xs.reduce((acc, x) => acc + (x - mx) ** 2, 0);
  const slope = sxy / sxx;
  const worst = Math.max(...xs.map((x, i) => Math.abs(ys[i]! - (my + slope * (x - mx)))));
  return { slope, worst };
}

describe('the simulated site', () => {
  it('at 10,000 valves, every id is valid in its topic and the site description fits its schema', () => {
    const sim = new FieldSimulator({ brokerUrl: 'mqtt://127.0.0.1:1', site: 'big', log: silentLogger, valves: 10_000 });
    const { valves, segments, points, gateways } = sim.layout;
    expect(valves).toHaveLength(10_000);
    expect(segments).toHaveLength(1667);
    expect(points).toHaveLength(2 * 1667 + 10_000);
    expect(gateways).toEqual(['gw-1', 'gw-2']);
    expect(segments.every((seg) => TopicSafeId.safeParse(seg.id).success)).toBe(true);
    expect(valves.every((v) => ValveId.safeParse(v.id).success)).toBe(true);
    expect(points.every((p) => parseTopic(topics.telemetry('big', p.gateway, p.id))?.id === p.id)).toBe(true);
    expect(new Set(points.map((p) => p.id)).size).toBe(points.length);
    const description = {
      v: 2,
      name: 'DEMO pipeline',
      demo: true,
      segments: segments.map(({ gateway: _, ...s }) => s),
    };
    expect(SiteMessage.safeParse(description).success).toBe(true);
    // Each gateway holds a contiguous stretch of the line.
    expect(segments.at(0)?.gateway).toBe('gw-1');
    expect(segments.at(-1)?.gateway).toBe('gw-2');
  });

  it('refuses a valve count outside 1 to 10,000 and a site id that is not topic-safe', () => {
    const base = { brokerUrl: 'mqtt://127.0.0.1:1', site: 'x', log: silentLogger };
    expect(() => new FieldSimulator({ ...base, valves: 0 })).toThrow(/valves must be a whole number from 1 to 10000/);
    expect(() => new FieldSimulator({ ...base, valves: 10_001 })).toThrow(/valves/);
    expect(() => new FieldSimulator({ ...base, site: 'a/b' })).toThrow(/site "a\/b"/);
  });
});

describe.each([
  { name: 'aedes', start: startAedes },
  { name: 'mosquitto', start: () => startMosquitto() },
])('the field simulator against $name', ({ start }) => {
  let broker: TestBroker;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    broker = await start();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A probe on the whole site, then a started simulator: the probe sees the births. */
  async function run(options: Partial<FieldSimulatorOptions> = {}) {
    const site = newSite();
    const probe = await Probe.connect(broker, `plainview/v2/${site}/#`);
    cleanups.push(() => probe.close());
    const sim = new FieldSimulator({
      brokerUrl: broker.url,
      site,
      log: silentLogger,
      valves: 24,
      gateways: 2,
      rate: 0,
      strokeMs: 600,
      protocolVersion: broker.mqtt5 ? 5 : 4,
      ...options,
    });
    await sim.start();
    cleanups.push(() => sim.stop());
    return { site, sim, probe };
  }

  it('publishes a valid DEMO site, retained valve states with their gateway, point meta and moving samples', async () => {
    const { sim, probe } = await run({ rate: 300 });
    const site = body<SiteMessage>(await probe.find((m) => m.kind === 'site', 'site message'));
    expect(site).toMatchObject({ name: 'DEMO pipeline', demo: true });
    expect(site.segments.map((s) => s.id)).toEqual(['seg-01', 'seg-02', 'seg-03', 'seg-04']);

    const states = await probe.count((m) => m.kind === 'valve_state', 24, 'valve state');
    expect(new Set(states.map((m) => m.id)).size).toBe(24);
    const gateways = new Set(states.map((m) => body<ValveStateMessage>(m).gateway));
    expect([...gateways].sort()).toEqual(['gw-1', 'gw-2']);
    for (const gw of gateways) {
      const online = await probe.find((m) => m.kind === 'gateway_presence' && m.id === gw, `${gw} online`);
      expect(body<PresenceMessage>(online).status).toBe('online');
    }
    const v101 = body<ValveStateMessage>(states.find((m) => m.id === 'v-101') as Received);
    expect(v101).toMatchObject({ state: 'open', position: 100, segment: 'seg-01', localControl: false });
    expect(v101.name).toMatch(/valve at KP/);

    const metas = await probe.count((m) => m.kind === 'point_meta', sim.layout.points.length, 'point meta');
    const kinds = metas.map((m) => body<PointMetaMessage>(m).kind);
    expect(kinds.filter((k) => k === 'pressure')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'flow')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'position')).toHaveLength(24);

    // Pressure wanders (drift and noise) and falls along the line.
    const pressure = (seg: string) => (m: Received) => m.kind === 'telemetry' && m.id === `${seg}-pressure`;
    const first = await probe.count(pressure('seg-01'), 4, 'seg-01 pressure samples');
    const last = await probe.count(pressure('seg-04'), 4, 'seg-04 pressure samples');
    const values = (ms: Received[]) => ms.map((m) => body<TelemetryMessage>(m).value);
    expect(new Set(values(first)).size).toBeGreaterThan(1);
    expect(Math.min(...values(first))).toBeGreaterThan(Math.max(...values(last)));

    expect(probe.invalid).toEqual([]);
    const again = await retained(broker, topics.valveState(sim.site, 'gw-1', 'v-101'));
    expect(body<ValveStateMessage>(again).gateway).toBe(v101.gateway);
  });

  it('a close command on an open valve is accepted, then completed, and the retained state follows', async () => {
    const { site, sim, probe } = await run();
    await probe.find((m) => m.kind === 'valve_state' && m.id === 'v-101', 'v-101 state');
    const from = probe.messages.length;

    const id = await probe.command(site, 'v-101', { action: 'close' });
    const acks = await probe.acks(id, 2);
    expect(acks.map((a) => a.status)).toEqual(['accepted', 'completed']);

    const seen = probe.messages.slice(from).filter((m) => m.kind === 'valve_state' && m.id === 'v-101');
    expect(seen.map((m) => body<ValveStateMessage>(m).state)).toContain('closing');
    expect(body<ValveStateMessage>(seen.at(-1) as Received)).toMatchObject({ state: 'closed', position: 0 });
    const state = body<ValveStateMessage>(await retained(broker, topics.valveState(site, 'gw-1', 'v-101')));
    expect(state).toMatchObject({ state: 'closed', position: 0 });
    expect(sim.valve('v-101').state).toBe('closed');
    expect(probe.invalid).toEqual([]);
  });

  it('a retained command left on the broker is not acted on by a gateway that connects later', async () => {
    const site = newSite();
    const stray = await Probe.connect(broker, `plainview/v2/${site}/#`);
    cleanups.push(() => stray.close());
    const now = Date.now();
    const left: ValveCommandMessage = {
      v: 2,
      id: randomUUID(),
      valve: 'v-101',
      action: 'close',
      position: null,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 60_000).toISOString(),
      operator: 'mallory',
      station: 'station-9',
    };
    const topic = topics.valveCommand(site, 'gw-1', 'v-101');
    await stray.client.publishAsync(topic, JSON.stringify(left), { qos: 1, retain: true });
    cleanups.push(async () => void (await stray.client.publishAsync(topic, '', { qos: 1, retain: true })));

    const sim = new FieldSimulator({ brokerUrl: broker.url, site, log: silentLogger, rate: 0, strokeMs: 600 });
    await sim.start();
    cleanups.push(() => sim.stop());
    await stray.find((m) => m.kind === 'valve_state' && m.id === 'v-101', 'v-101 birth');
    // Had the stray command been acted on, v-101 would be moving and this one refused.
    const id = await stray.command(site, 'v-101', { action: 'close' });
    expect((await stray.acks(id, 2)).map((a) => a.status)).toEqual(['accepted', 'completed']);
    expect(stray.messages.some((m) => m.kind === 'valve_ack' && m.body.commandId === left.id)).toBe(false);
  });

  it('set_position moves a control valve to the asked position', async () => {
    const { site, probe } = await run();
    const id = await probe.command(site, 'v-102', { action: 'set_position', position: 25 });
    expect((await probe.acks(id, 2)).map((a) => a.status)).toEqual(['accepted', 'completed']);
    const state = body<ValveStateMessage>(await retained(broker, topics.valveState(site, 'gw-1', 'v-102')));
    expect(state).toMatchObject({ state: 'open', position: 25, supportsPosition: true });
  });

  it('rejects already-in-position, local-control, expired and unsupported commands with their reasons', async () => {
    const { site, sim, probe } = await run();
    const reasonOf = async (id: string) => {
      const [ack] = await probe.acks(id, 1);
      expect(ack?.status).toBe('rejected');
      return ack?.reason;
    };

    expect(await reasonOf(await probe.command(site, 'v-101', { action: 'open' }))).toBe(RejectReason.alreadyInPosition);

    sim.setLocalControl('v-107', true);
    const local = await probe.find(
      (m) => m.kind === 'valve_state' && m.id === 'v-107' && m.body.localControl === true,
      'v-107 under local control',
    );
    expect(local.body.state).toBe('open');
    expect(await reasonOf(await probe.command(site, 'v-107', { action: 'close' }))).toBe(RejectReason.localControl);

    const past = Date.now() - 1000;
    const expired = await probe.command(site, 'v-101', {
      issuedAt: new Date(past - 30_000).toISOString(),
      expiresAt: new Date(past).toISOString(),
    });
    expect(await reasonOf(expired)).toBe(RejectReason.expired);

    const unsupported = await probe.command(site, 'v-101', { action: 'set_position', position: 50 });
    expect(await reasonOf(unsupported)).toBe(RejectReason.positionNotSupported);

    // None of them moved anything.
    expect(sim.valve('v-101')).toMatchObject({ state: 'open', position: 100 });
    expect(sim.valve('v-107')).toMatchObject({ state: 'open', position: 100 });
    expect(probe.messages.filter((m) => m.kind === 'valve_ack').every((m) => m.retain === false)).toBe(true);
    expect(probe.invalid).toEqual([]);
  });

  it('a stuck valve accepts, then fails with a reason, reports fault, and refuses until the fault is cleared', async () => {
    const { site, sim, probe } = await run();
    sim.stickValve('v-101');
    const id = await probe.command(site, 'v-101', { action: 'close' });
    const acks = await probe.acks(id, 2);
    expect(acks.map((a) => [a.status, a.reason])).toEqual([
      ['accepted', null],
      ['failed', STUCK_REASON],
    ]);
    const fault = body<ValveStateMessage>(await retained(broker, topics.valveState(site, 'gw-1', 'v-101')));
    expect(fault).toMatchObject({ state: 'fault', position: 100, fault: STUCK_REASON });

    const refused = await probe.command(site, 'v-101', { action: 'close' });
    expect((await probe.acks(refused, 1))[0]).toMatchObject({ status: 'rejected', reason: RejectReason.inFault });

    sim.clearFault('v-101');
    await probe.find(
      (m) => m.kind === 'valve_state' && m.id === 'v-101' && m.body.state === 'open' && m.body.fault === null,
      'v-101 repaired',
    );
    const again = await probe.command(site, 'v-101', { action: 'close' });
    expect((await probe.acks(again, 2)).map((a) => a.status)).toEqual(['accepted', 'completed']);
    expect(probe.invalid).toEqual([]);
  });

  it("a dropped gateway's offline will is delivered and retained; restoring it says online again", async () => {
    const { site, sim, probe } = await run();
    const topic = topics.gatewayPresence(site, 'gw-2');
    await probe.find((m) => m.topic === topic && m.body.status === 'online', 'gw-2 online');

    const from = probe.messages.length;
    sim.dropGateway('gw-2');
    const will = await probe.find((m) => m.topic === topic, 'gw-2 will', from);
    expect(body<PresenceMessage>(will).status).toBe('offline');
    expect(body<PresenceMessage>(await retained(broker, topic)).status).toBe('offline');
    expect(sim.gatewayOnline('gw-2')).toBe(false);
    expect(sim.gatewayOnline('gw-1')).toBe(true);

    const back = probe.messages.length;
    await sim.restoreGateway('gw-2');
    await probe.find((m) => m.topic === topic && m.body.status === 'online', 'gw-2 online again', back);
    // Its birth republishes its valves, as a reconnecting RTU would.
    await probe.find((m) => m.kind === 'valve_state' && m.body.gateway === 'gw-2', 'gw-2 valve states', back);
    expect(body<PresenceMessage>(await retained(broker, topic)).status).toBe('online');
    expect(probe.invalid).toEqual([]);
  });

  it('a leak drops the segment pressure and raises a critical retained alert; clearing it clears the alert', async () => {
    const { site, sim, probe } = await run({ rate: 200 });
    const pressure = (m: Received) => m.kind === 'telemetry' && m.id === 'seg-02-pressure';
    const before = (await probe.count(pressure, 3, 'seg-02 pressure')).map((m) => body<TelemetryMessage>(m).value);

    const from = probe.messages.length;
    sim.raiseLeak('seg-02');
    const alertTopic = topics.alert(site, leakAlertId('seg-02'));
    const raised = body<AlertMessage>(await probe.find((m) => m.topic === alertTopic, 'leak alert', from));
    expect(raised).toMatchObject({ status: 'raised', severity: 'critical', segment: 'seg-02' });
    expect(body<AlertMessage>(await retained(broker, alertTopic)).status).toBe('raised');
    const during = body<TelemetryMessage>(await probe.find(pressure, 'seg-02 pressure during the leak', from));
    expect(during.value).toBeLessThan(Math.min(...before) - 3);

    const cleared = probe.messages.length;
    sim.clearLeak('seg-02');
    const clear = await probe.find((m) => m.topic === alertTopic, 'leak cleared', cleared);
    expect(body<AlertMessage>(clear)).toMatchObject({ status: 'cleared', segment: 'seg-02' });
    expect(body<AlertMessage>(await retained(broker, alertTopic)).status).toBe('cleared');
    const after = body<TelemetryMessage>(await probe.find(pressure, 'seg-02 pressure after the leak', cleared));
    expect(after.value).toBeGreaterThan(during.value + 3);
    expect(probe.invalid).toEqual([]);
  });

  it('a block valve closed in the field (no command, no ack): no flow, the line downstream at 6 bar, upstream at the inlet pressure', async () => {
    const { sim, probe } = await run({ rate: 400 });
    await probe.find(sample('seg-03-flow', 900), 'seg-03 flowing');
    const from = probe.messages.length;

    expect(sim.moveValve('v-107', 0)).toBe(true); // seg-02's upstream block valve
    await shutBelowV107(probe, from);
    await probe.find(sample('seg-01-flow', 0, 5), 'no flow upstream', from);
    await probe.find(sample('seg-01-pressure', 70.5), 'inlet pressure upstream', from);

    const states = probe.messages.slice(from).filter((m) => m.kind === 'valve_state' && m.id === 'v-107');
    expect(states.map((m) => body<ValveStateMessage>(m).state)).toContain('closing');
    expect(body<ValveStateMessage>(states.at(-1)!)).toMatchObject({ state: 'closed', position: 0 });
    expect(probe.messages.some((m) => m.kind === 'valve_ack')).toBe(false);
    expect(sim.moveValve('v-107', 0)).toBe(false);
    expect(() => sim.moveValve('v-107', 50)).toThrow(/0 or 100 % only/);
    expect(() => sim.moveValve('v-999', 0)).toThrow(/v-101 to v-124/);

    // Open again, the line flows again.
    const back = probe.messages.length;
    sim.moveValve('v-107', 100);
    await probe.find(sample('seg-03-flow', 900), 'flow restored', back);
    await probe.find(sample('seg-03-pressure', 45), 'pressure restored', back);
    expect(probe.invalid).toEqual([]);
  });

  it('a drifting transmitter reads steadily further from the truth until cleared', async () => {
    const { sim, probe } = await run({ rate: 400 });
    const point = 'seg-02-pressure';
    await probe.find(sample(point), `${point} sampled`);
    const from = probe.messages.length;
    sim.driftPoint(point, 120); // 2 bar a second
    expect(sim.drifts()).toMatchObject([{ point, unit: 'bar', perMinute: 120 }]);
    const mine = () => probe.messages.slice(from).filter(sample(point));
    await probe.find(() => mine().length >= 25, `25 samples of ${point}`);

    // A straight line through them climbs at 2 bar/s, and no sample strays far from it.
    const xs = mine().map((m) => Date.parse(body<TelemetryMessage>(m).ts) / 1000);
    const ys = mine().map((m) => body<TelemetryMessage>(m).value);
    const { slope, worst } = fit(xs, ys);
    expect(slope).toBeGreaterThan(1.6);
    expect(slope).toBeLessThan(2.4);
    expect(worst).toBeLessThan(1.5);
    expect(() => sim.driftPoint('seg-09-pressure', 1)).toThrow(/seg-01 to seg-04/);

    expect(sim.clearDrift(point)).toBe(true);
    expect(sim.drifts()).toEqual([]);
    const cleared = probe.messages.length;
    await probe.find(sample(point, 58, 62), `${point} true again`, cleared);
  });

  it('after a broker crash and restart the field reconnects and republishes its retained state', async () => {
    const { site, sim } = await run();
    sim.setLocalControl('v-103', true);
    await eventually(async () => {
      expect(
        body<ValveStateMessage>(await retained(broker, topics.valveState(site, 'gw-1', 'v-103'), 1000)).localControl,
      ).toBe(true);
    });

    await broker.kill();
    await broker.restart();

    // The restarted broker starts empty; everything below comes from the simulator's births.
    await eventually(async () => {
      expect(body<SiteMessage>(await retained(broker, topics.site(site), 1000)).demo).toBe(true);
      const state = body<ValveStateMessage>(await retained(broker, topics.valveState(site, 'gw-1', 'v-103'), 1000));
      expect(state).toMatchObject({ localControl: true, state: 'closed' });
      const presence = await retained(broker, topics.gatewayPresence(site, 'gw-1'), 1000);
      expect(body<PresenceMessage>(presence).status).toBe('online');
    });
    expect(sim.gatewayOnline('gw-1') && sim.gatewayOnline('gw-2')).toBe(true);
  });
});

describe('the field simulator against a persistent mosquitto', () => {
  it('a station joining after the field stopped and the broker restarted sees the site and offline gateways', async () => {
    const broker = await startMosquitto({ persistence: true });
    const site = newSite();
    const sim = new FieldSimulator({ brokerUrl: broker.url, site, log: silentLogger, valves: 6, gateways: 1, rate: 0 });
    try {
      await sim.start();
      await eventually(async () => {
        const presence = await retained(broker, topics.gatewayPresence(site, 'gw-1'), 1000);
        expect(body<PresenceMessage>(presence).status).toBe('online');
      });
    } finally {
      await sim.stop();
    }
    // SIGTERM: mosquitto saves its database on the way out.
    await broker.restart();

    expect(body<SiteMessage>(await retained(broker, topics.site(site))).segments).toHaveLength(1);
    expect(body<ValveStateMessage>(await retained(broker, topics.valveState(site, 'gw-1', 'v-106'))).gateway).toBe(
      'gw-1',
    );
    expect(body<PresenceMessage>(await retained(broker, topics.gatewayPresence(site, 'gw-1'))).status).toBe('offline');
  });
});

describe('plainview sim', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(() => broker.dispose());

  function setup() {
    const root = tempDir();
    return { root, env: cleanEnv(path.join(root, 'data')) };
  }

  it('runs against mosquitto until SIGTERM, then says offline for its gateways and exits 0', async () => {
    const { root, env } = setup();
    const site = newSite();
    const args = ['sim', '--broker', broker.url, '--site', site, '--valves', '12', '--rate', '50', '--gateways', '3'];
    const sim = startCli(args, env, root);
    try {
      await sim.waitFor('simulator started');
      const description = body<SiteMessage>(await retained(broker, topics.site(site)));
      expect(description.demo).toBe(true);
      expect(description.segments).toHaveLength(2);
      expect(
        body<ValveStateMessage>(await retained(broker, topics.valveState(site, 'gw-2', 'v-112'))).state,
      ).toBeDefined();
      expect(body<PresenceMessage>(await retained(broker, topics.gatewayPresence(site, 'gw-3'))).status).toBe('online');
    } finally {
      sim.child.kill('SIGTERM');
    }
    const { code } = await sim.exited;
    expect(code, sim.output()).toBe(0);
    expect(sim.output()).toContain('simulator stopped');
    for (const gw of ['gw-1', 'gw-2', 'gw-3']) {
      expect(body<PresenceMessage>(await retained(broker, topics.gatewayPresence(site, gw))).status).toBe('offline');
    }
  });

  it('takes commands on stdin, one answer a line; a bad line gets an error and it runs on; the end of stdin does not stop it', async () => {
    const { root, env } = setup();
    const site = newSite();
    const probe = await Probe.connect(broker, `plainview/v2/${site}/#`);
    const sim = startCli(['sim', '--broker', broker.url, '--site', site, '--rate', '200'], env, root);
    const answers = () => sim.output().match(/^(ok|error): .*$/gm) ?? [];
    const ask = async (line: string) => {
      const n = answers().length;
      sim.child.stdin!.write(`${line}\n`);
      return waitFor(() => answers()[n], `the answer to "${line}"`);
    };
    try {
      await sim.waitFor('simulator started');
      expect(await ask('help')).toMatch(/^ok: .*leak <segment> \[off\].*drift <point>.*status/);
      expect(await ask('status')).toBe(
        'ok: valves 12 open, 12 closed, 0 moving, 0 fault; gateways 2/2 online; leaks none; drifts none',
      );
      expect(await ask('frobnicate v-101')).toBe('error: unknown command "frobnicate"; type help for the list');
      expect(await ask('close v-999')).toBe('error: no valve v-999: the valves are v-101 to v-124');
      expect(await ask('leak seg-09')).toBe('error: no segment seg-09: the segments are seg-01 to seg-04');
      expect(await ask('drop gw-7')).toBe('error: no gateway gw-7: the gateways are gw-1 to gw-2');
      expect(await ask('drift seg-01-pressure fast')).toMatch(/^error: a drift in units per minute .* is a number/);
      expect(await ask('move v-102 150')).toMatch(/^error: a valve position is from 0 to 100 %/);
      expect(await ask('stick')).toBe('error: usage: stick <valve>');

      // A block valve closed in the field: the line downstream loses its flow and pressure.
      const closed = probe.messages.length;
      expect(await ask('close v-107')).toBe('ok: v-107 moving in the field from 100 % to 0 %');
      await shutBelowV107(probe, closed);
      await probe.find(
        (m) => m.kind === 'valve_state' && m.id === 'v-107' && m.body.state === 'closed',
        'v-107 closed',
      );
      expect(await ask('open v-107')).toBe('ok: v-107 moving in the field from 0 % to 100 %');

      const leak = probe.messages.length;
      expect(await ask('leak seg-02')).toMatch(/^ok: leak on seg-02/);
      await probe.find((m) => m.topic === topics.alert(site, leakAlertId('seg-02')), 'leak alert', leak);
      expect(await ask('drift seg-01-pressure 5')).toBe('ok: seg-01-pressure drifting +5 bar/min');
      expect(await ask('stick v-102')).toMatch(/^ok: v-102 will stick/);
      expect(await ask('move v-102 30')).toBe('ok: v-102 moving in the field from 60 % to 30 %');
      await probe.find((m) => m.kind === 'valve_state' && m.id === 'v-102' && m.body.state === 'fault', 'v-102 stuck');
      const dropped = probe.messages.length;
      expect(await ask('drop gw-2')).toMatch(/^ok: gw-2 dropped/);
      await probe.find(
        (m) => m.kind === 'gateway_presence' && m.id === 'gw-2' && m.body.status === 'offline',
        'gw-2 offline',
        dropped,
      );
      expect(await ask('status')).toMatch(
        /^ok: valves \d+ open, \d+ closed, \d+ moving, 1 fault \(v-102\); gateways 1\/2 online, offline \(gw-2\); leaks seg-02; drifts seg-01-pressure \+5 bar\/min$/,
      );
      expect(await ask('restore gw-2')).toBe('ok: gw-2 back online');
      expect(await ask('unstick v-102')).toBe('ok: v-102 repaired, open at 60 %');
      expect(await ask('drift seg-01-pressure off')).toBe('ok: seg-01-pressure reads true again');
      expect(await ask('leak seg-02 off')).toBe('ok: leak on seg-02 cleared');
      expect(await ask('status')).toMatch(/0 fault; gateways 2\/2 online; leaks none; drifts none$/);

      // The end of stdin ends the commands, not the simulator: it goes on publishing.
      sim.child.stdin!.end();
      await sim.waitFor('stdin closed');
      const later = probe.messages.length;
      await probe.count((m) => m.kind === 'telemetry', later + 50, 'samples after the end of stdin');
      expect(sim.child.exitCode).toBeNull();
      expect(probe.invalid).toEqual([]);
    } finally {
      sim.child.kill('SIGTERM');
      await probe.close();
    }
    const { code } = await sim.exited;
    expect(code, sim.output()).toBe(0);
  });

  it('--help lists the stdin commands', () => {
    const { root, env } = setup();
    const r = runCli(['sim', '--help'], env, root);
    expect(r.code).toBe(0);
    for (const usage of ['leak <segment> [off]', 'stick <valve>', 'drift <point>', 'restore <gateway>', 'status']) {
      expect(r.stdout).toContain(usage);
    }
    expect(r.stdout).toMatch(/only SIGTERM or SIGINT stops/);
  });

  it('a bad argument prints one clear line and exits non-zero', () => {
    const { root, env } = setup();
    const cases: [string[], RegExp][] = [
      [['--valves', '0'], /valve count is a whole number from 1 to 10000/],
      [['--valves', '10001'], /valve count is a whole number from 1 to 10000/],
      [['--rate', 'fast'], /rate is a number/],
      [['--site', 'a/b'], /site id/],
      [['--gateways', '0'], /gateway count/],
    ];
    for (const [extra, message] of cases) {
      const r = runCli(['sim', '--broker', broker.url, ...extra], env, root);
      expect(r.code, extra.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n'), extra.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    const noBroker = runCli(['sim'], env, root);
    expect(noBroker.code).not.toBe(0);
    expect(noBroker.stderr).toMatch(/--broker/);
    const badUrl = runCli(['sim', '--broker', 'http://127.0.0.1:1'], env, root);
    expect(badUrl.code).not.toBe(0);
    expect(badUrl.stderr).toMatch(/mqtt:\/\//);
  });
});
