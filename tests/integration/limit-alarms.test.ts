import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/main/log';
import { FieldSimulator } from '../../src/main/sim';
import { demoDefinitions } from '../../src/main/sim/demo-definitions';
import { topics } from '../../src/shared/protocol';
import type { AlarmDefinitionInput } from '../../src/shared/limits';
import { startMosquitto, type TestBroker } from '../helpers/brokers';
import { ask, read, testStation, type TestStation } from '../helpers/station';
import { waitFor } from '../helpers/wait';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const SITE = 'north';
const POINT = 'p-seg-1-flow';
const T0 = Date.parse('2026-12-04T10:00:00.000Z');
const why = { cause: 'Flow lost', consequence: 'Deliveries stop', action: 'Check the block valves', responseMin: 10 };
const DEFINITIONS: AlarmDefinitionInput[] = [
  {
    point: POINT,
    condition: 'l',
    setpoint: 20,
    deadband: 2,
    onDelaySec: 2,
    offDelaySec: 1,
    priority: 'high',
    rationalization: why,
  },
  { point: POINT, condition: 'h', setpoint: 100, priority: 'medium', rationalization: why },
  { point: POINT, condition: 'quality', priority: 'low', rationalization: why },
];

interface Site {
  broker: TestBroker;
  a: TestStation;
  b: TestStation;
  field: MqttClient;
  /** Publishes a sample `sec` seconds after T0 (field time). */
  sample(sec: number, value: number, quality?: 'good' | 'bad'): Promise<void>;
}

/** Two stations of one site (A's operator is a supervisor) and a field client that speaks for a gateway. */
async function site(): Promise<Site> {
  const broker = await startMosquitto();
  const env = { PLAINVIEW_MQTT_URL: broker.url };
  const a = testStation({ ...env, PLAINVIEW_STATION_ID: 'ws-a', PLAINVIEW_OS_ACCOUNT_ROLE: 'supervisor' });
  const b = testStation({ ...env, PLAINVIEW_STATION_ID: 'ws-b' }, undefined, { osAccount: 'bob' });
  for (const s of [a, b]) {
    await s.station.start();
    cleanups.push(() => s.station.stop());
    await waitFor(() => s.station.running().field.link.online, 'online');
  }
  const field = await mqtt.connectAsync(broker.url, { clientId: 'gw-1-test' });
  cleanups.push(() => field.endAsync());
  await field.publishAsync(
    topics.pointMeta(SITE, 'gw-1', POINT),
    JSON.stringify({ v: 2, gateway: 'gw-1', kind: 'flow', unit: 'm3/h', segment: 'seg-1', staleAfterMs: 1500 }),
    { qos: 1, retain: true },
  );
  const sample = async (sec: number, value: number, quality: 'good' | 'bad' = 'good') => {
    const ts = new Date(T0 + sec * 1000).toISOString();
    await field.publishAsync(topics.telemetry(SITE, 'gw-1', POINT), JSON.stringify({ v: 2, ts, value, quality }), {
      qos: 1,
    });
  };
  return { broker, a, b, field, sample };
}

const alarm = (t: TestStation, id: string) => t.station.running().alarms.get(id);
const raises = (t: TestStation, id: string) =>
  t.station
    .running()
    .alarms.history(id)
    .filter((e) => e.kind === 'raise').length;

describe('limit alarms on analog points (master alarm database)', () => {
  it('the DEMO site starts with its rationalized definitions, and a healthy line raises none of them', async () => {
    const t = testStation({});
    await t.station.start();
    cleanups.push(() => t.station.stop());
    const set = t.station.running().definitions.current();
    expect(set).toMatchObject({ version: 1, changedBy: 'system' });
    const conditions = new Set(set.definitions.map((d) => d.condition));
    expect([...conditions].sort()).toEqual(['deviation', 'h', 'hh', 'l', 'll', 'quality', 'roc']);
    expect(set.definitions.every((d) => d.rationalization.action.length > 20)).toBe(true);
    // Samples flow through the evaluator for a while; nothing is raised on a healthy line.
    const taken = () => t.station.running().field.counters.snapshot().accepted.telemetry ?? 0;
    await waitFor(() => taken() > 200, 'two hundred samples');
    expect(
      t.station
        .running()
        .alarms.list()
        .filter((a) => a.source === 'limit'),
    ).toEqual([]);
  }, 60_000);

  it('on the simulated line: a block valve closed in the field raises low and low-low flow, a drifting transmitter its rate of change, each with its rationalization', async () => {
    const s = await site();
    const sim = new FieldSimulator({
      brokerUrl: s.broker.url,
      site: SITE,
      log: createLogger({ level: 'error', json: true, sinks: [] }),
      demo: false,
      valves: 24,
      rate: 40,
    });
    await sim.start();
    cleanups.push(() => sim.stop());
    expect(
      ask(s.a, 'limits.change', { definitions: demoDefinitions(sim.layout), reason: 'the line as rationalized' }),
    ).toMatchObject({
      ok: true,
    });
    await waitFor(() => s.a.station.running().field.state.valves.get('v-107')?.msg.state === 'open', 'v-107 open');
    expect(sim.moveValve('v-107', 0)).toBe(true); // segment 2's first block valve, closed in the field
    for (const id of ['lim-seg-04-flow-l', 'lim-seg-04-flow-ll', 'lim-seg-03-pressure-l'])
      for (const t of [s.a, s.b])
        await waitFor(() => alarm(t, id)?.state === 'active_unacked', `${id} on ${t.config.stationId}`, 30_000);
    const ll = alarm(s.a, 'lim-seg-04-flow-ll')!;
    expect(ll).toMatchObject({ priority: 'critical', suppressed: false, limit: { condition: 'll', setpoint: 50 } });
    expect(ll.limit!.value!).toBeLessThan(50);
    const defs = read(s.a, 'limits.definitions') as {
      definitions: { point: string; condition: string; rationalization: object }[];
    };
    expect(
      defs.definitions.find((d) => d.point === 'seg-04-flow' && d.condition === 'll')?.rationalization,
    ).toMatchObject({
      action: expect.stringMatching(/valve/i),
    });

    sim.driftPoint('seg-01-pressure', 30); // a transmitter drifting 30 bar a minute
    await waitFor(() => alarm(s.a, 'lim-seg-01-pressure-roc')?.state === 'active_unacked', 'rate of change', 60_000);
  }, 120_000);

  it('a supervisor defines them on one station; both stations raise one alarm at the setpoint after its on-delay, chatter inside the deadband raises once, and it clears past the deadband', async () => {
    const s = await site();
    expect(ask(s.a, 'limits.change', { definitions: DEFINITIONS, reason: 'rationalized after HAZOP' })).toMatchObject({
      ok: true,
      value: { version: 1, changedBy: 'alice' },
    });
    await waitFor(() => s.b.station.running().definitions.current().version === 1, 'B has version 1');

    await s.sample(0, 25);
    await s.sample(1, 15); // below 20: the 2 s on-delay starts
    await s.sample(2, 14);
    expect(alarm(s.a, `lim-${POINT}-l`)).toBeNull();
    await s.sample(3, 14); // 2 s below: raised
    for (const t of [s.a, s.b])
      await waitFor(
        () => alarm(t, `lim-${POINT}-l`)?.state === 'active_unacked',
        `the low-flow alarm on ${t.config.stationId}`,
      );
    const raised = alarm(s.a, `lim-${POINT}-l`)!;
    expect(raised).toMatchObject({
      priority: 'high',
      raisedAt: new Date(T0 + 3000).toISOString(),
      source: 'limit',
      segment: 'seg-1',
      limit: { point: POINT, condition: 'l', setpoint: 20, value: 14 },
      suppressed: false,
    });
    expect(raised.message).toBe(`${POINT} low: 14 m3/h (limit 20 m3/h)`);

    // Chattering around the setpoint, inside the deadband (clear needs 22): no new raise.
    for (let i = 0; i < 6; i++) await s.sample(4 + i, i % 2 ? 19 : 21);
    await s.sample(10, 23); // past the deadband: the 1 s off-delay starts
    await s.sample(11, 23); // cleared
    for (const t of [s.a, s.b])
      await waitFor(() => alarm(t, `lim-${POINT}-l`)?.state === 'cleared_unacked', `cleared on ${t.config.stationId}`);
    expect(raises(s.a, `lim-${POINT}-l`)).toBe(1);
    expect(alarm(s.a, `lim-${POINT}-l`)!.clearedAt).toBe(new Date(T0 + 11_000).toISOString());

    // Acknowledged on A: B merges A's journal, and still holds one raise (the same event on both).
    expect(read(s.a, 'alarms.acknowledge', { ids: [`lim-${POINT}-l`] })).toMatchObject([{ ok: true }]);
    await waitFor(() => alarm(s.b, `lim-${POINT}-l`)?.state === 'normal', 'the acknowledgement on B');
    expect(raises(s.b, `lim-${POINT}-l`)).toBe(1);
  }, 60_000);

  it('a bad value neither raises nor clears a limit: it raises the quality alarm; a point that stops reporting raises it too', async () => {
    const s = await site();
    ask(s.a, 'limits.change', { definitions: DEFINITIONS, reason: 'first set' });
    await s.sample(0, 50);
    await s.sample(1, 0, 'bad');
    await s.sample(5, 0, 'bad');
    await waitFor(() => alarm(s.a, `lim-${POINT}-quality`)?.state === 'active_unacked', 'the quality alarm');
    expect(alarm(s.a, `lim-${POINT}-l`)).toBeNull();
    await s.sample(6, 150); // good again, and high
    await waitFor(() => alarm(s.a, `lim-${POINT}-h`)?.state === 'active_unacked', 'the high alarm');
    await waitFor(() => alarm(s.a, `lim-${POINT}-quality`)?.state === 'cleared_unacked', 'quality back');

    // The point stops reporting (its stale time is 1.5 s): the quality alarm again, the high alarm holds.
    await waitFor(
      () => alarm(s.a, `lim-${POINT}-quality`)?.state === 'active_unacked',
      'quality on a stale point',
      30_000,
    );
    expect(alarm(s.a, `lim-${POINT}-h`)?.state).toBe('active_unacked');
  }, 60_000);

  it('a change is a management-of-change record with old and new values, audited on both stations; an operator cannot change them; an older version is refused', async () => {
    const s = await site();
    ask(s.a, 'limits.change', { definitions: DEFINITIONS, reason: 'first set' });
    const tighter = DEFINITIONS.map((d) => (d.condition === 'l' ? { ...d, setpoint: 25 } : d));
    expect(ask(s.a, 'limits.change', { definitions: tighter, reason: 'MOC-42: higher minimum flow' })).toMatchObject({
      ok: true,
      value: { version: 2 },
    });
    await waitFor(() => s.b.station.running().definitions.current().version === 2, 'B has version 2');
    const [latest] = read(s.b, 'limits.history', {}) as { version: number; reason: string; changes: unknown[] }[];
    expect(latest).toMatchObject({
      version: 2,
      reason: 'MOC-42: higher minimum flow',
      changes: [{ point: POINT, condition: 'l', change: 'changed', field: 'setpoint', before: 20, after: 25 }],
    });
    for (const t of [s.a, s.b]) {
      const entry = t.station
        .running()
        .audit.list()
        .find((e) => e.subject === 'v2');
      expect(entry, t.config.stationId).toMatchObject({
        detail: { reason: 'MOC-42: higher minimum flow', changes: [{ field: 'setpoint', before: 20, after: 25 }] },
      });
    }
    // Bob is an operator: refused, nothing changes.
    expect(ask(s.b, 'limits.change', { definitions: DEFINITIONS, reason: 'looser' })).toMatchObject({
      ok: false,
      refusal: { code: 'role' },
    });
    // Version 1 published again (station a restored from an old backup): refused by both.
    const old = { ...s.a.station.running().definitions.current(), version: 1, definitions: [] };
    await s.field.publishAsync(
      topics.alarmDefinitions(SITE, s.a.config.stationId),
      JSON.stringify({ v: 2, set: old, changes: [] }),
      {
        qos: 1,
        retain: true,
      },
    );
    await waitFor(() => s.b.station.running().definitions.refusedOlder > 0, 'the old version refused');
    expect(s.b.station.running().definitions.current()).toMatchObject({ version: 2 });
    expect(s.a.station.running().definitions.current()).toMatchObject({ version: 2 });
    // The retained version on the broker is the newest again.
    const watcher = await mqtt.connectAsync(s.broker.url, { clientId: 'defs-watcher' });
    cleanups.push(() => watcher.endAsync());
    const seen: number[] = [];
    watcher.on('message', (_t, p) => seen.push((JSON.parse(p.toString()) as { set: { version: number } }).set.version));
    await watcher.subscribeAsync(topics.alarmDefinitions(SITE, s.a.config.stationId), { qos: 1 });
    await waitFor(() => seen.at(-1) === 2, 'version 2 retained again');
  }, 60_000);
});
