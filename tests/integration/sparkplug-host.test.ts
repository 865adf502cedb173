import fs from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { SparkplugMapping } from '../../src/shared/sparkplug';
import { DataType, encodePayload } from '../../src/main/sparkplug/codec';
import { startMosquitto, type TestBroker } from '../helpers/brokers';
import { TestEdge } from '../helpers/sparkplug-edge';
import { read, testStation, type TestStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import type { FieldBrowser } from '../../src/shared/sparkplug';

const LONG = 90_000;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
});

const mapping: SparkplugMapping = {
  version: 1,
  site: { name: 'Sparkplug plant', demo: false, segments: [{ id: 'seg-01', name: 'Segment 1', seq: 1 }] },
  devices: [
    {
      group: 'plant',
      node: 'edge-1',
      device: null,
      points: [
        {
          metric: 'Line/Pressure',
          point: 'sp-pressure',
          kind: 'pressure',
          unit: 'bar',
          segment: 'seg-01',
          valve: null,
          staleAfterMs: null,
        },
      ],
    },
    {
      group: 'plant',
      node: 'edge-1',
      device: 'valve-a',
      valve: {
        id: 'v-201',
        name: 'Inlet block valve',
        segment: 'seg-01',
        state: 'State',
        position: 'Position',
        localControl: 'Local',
        commands: { open: { metric: 'Command', value: 'open' }, close: { metric: 'Command', value: 'close' } },
      },
      points: [
        {
          metric: 'Position',
          point: 'v-201-position',
          kind: 'position',
          unit: '%',
          segment: 'seg-01',
          valve: 'v-201',
          staleAfterMs: null,
        },
      ],
    },
  ],
};

interface Setup {
  broker: TestBroker;
  t: TestStation;
  edge: TestEdge;
  watcher: MqttClient;
  /** Everything the watcher saw, in order: topic and raw payload, with the retain flag. */
  seen: { topic: string; payload: Buffer; retain: boolean }[];
}

async function setup(opts: { edge?: boolean; reorderMs?: number } = {}): Promise<Setup> {
  const broker = await startMosquitto();
  const dir = tempDir();
  const file = path.join(dir, 'mapping.json');
  fs.writeFileSync(file, JSON.stringify(mapping));
  const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  cleanups.push(() => watcher.endAsync(true));
  const seen: Setup['seen'] = [];
  watcher.on('message', (topic, payload, packet) => seen.push({ topic, payload, retain: packet.retain }));
  await watcher.subscribeAsync(['spBv1.0/#'], { qos: 1 });
  const t = testStation({
    PLAINVIEW_MQTT_URL: broker.url,
    PLAINVIEW_MQTT_PROTOCOL_VERSION: '5',
    PLAINVIEW_VALVE_COOLDOWN_SEC: '0',
    PLAINVIEW_SPARKPLUG_HOST_ID: 'pv-ws-1',
    PLAINVIEW_SPARKPLUG_PRIMARY_HOST: 'true',
    PLAINVIEW_SPARKPLUG_GROUPS: 'plant',
    PLAINVIEW_SPARKPLUG_REORDER_TIMEOUT_MS: String(opts.reorderMs ?? 300),
    PLAINVIEW_SPARKPLUG_MAPPING_FILE: file,
  });
  await t.station.start();
  cleanups.push(() => t.station.stop());
  await waitFor(() => sp(t).link.online && t.station.running().field.link.online, 'host online', LONG);
  const edge = new TestEdge(broker.url);
  cleanups.push(() => edge.kill());
  if (opts.edge !== false) await waitFor(() => valveOf(t)?.quality === 'good', 'the Sparkplug valve good', LONG);
  return { broker, t, edge, watcher, seen };
}

const sp = (t: TestStation) => t.station.running().sparkplug!;
const valveOf = (t: TestStation, id = 'v-201') => t.station.running().field.state.valveView(id);
const pointOf = (t: TestStation, id: string) => t.station.running().field.state.pointView(id);
const browse = (t: TestStation) => read(t, 'sparkplug.browse') as FieldBrowser;
const metricIn = (t: TestStation, name: string, device: string | null = null) => {
  const node = browse(t).nodes.find((n) => n.node === 'edge-1');
  const scope = device === null ? node : node?.devices.find((d) => d.device === device);
  return scope?.metrics.find((m) => m.name === name);
};
const rejected = (t: TestStation, key: string) => sp(t).counters.rejected.get(key) ?? 0;

describe('the Sparkplug B host against Eclipse Tahu edge nodes on mosquitto', () => {
  it('STATE: birth retained with the will timestamp, republished at once on its own death, death on stop', async () => {
    const { t, watcher, seen, broker } = await setup({ edge: false });
    const states = () => seen.filter((m) => m.topic === 'spBv1.0/STATE/pv-ws-1');
    const birth = await waitFor(() => states().find((m) => JSON.parse(m.payload.toString()).online), 'STATE birth');
    const body = JSON.parse(birth.payload.toString()) as { online: boolean; timestamp: number };
    expect(body).toEqual({ online: true, timestamp: expect.any(Number) });
    // Someone (an old will, another process) says this host is offline: it answers at once.
    const before = sp(t).link.stateBirths;
    await watcher.publishAsync('spBv1.0/STATE/pv-ws-1', JSON.stringify({ online: false, timestamp: body.timestamp }), {
      qos: 1,
      retain: true,
    });
    await waitFor(() => sp(t).link.stateBirths > before, 'STATE birth again', LONG);
    await waitFor(
      () => states().filter((m) => JSON.parse(m.payload.toString()).online).length >= 2,
      'a second birth on the broker',
      LONG,
    );
    const again = states().filter((m) => JSON.parse(m.payload.toString()).online);
    expect(JSON.parse(again.at(-1)!.payload.toString())).toEqual(body);
    await t.station.stop();
    cleanups.pop();
    const death = await waitFor(
      () => {
        const last = states().at(-1);
        return last && !JSON.parse(last.payload.toString()).online ? last : null;
      },
      'STATE death',
      LONG,
    );
    expect(JSON.parse(death.payload.toString())).toEqual({ online: false, timestamp: body.timestamp });
    // Retained: a late subscriber reads it.
    const late = await mqtt.connectAsync(broker.url);
    cleanups.push(() => late.endAsync(true));
    const got = new Promise<string>((resolve) => late.on('message', (_t, p) => resolve(p.toString())));
    await late.subscribeAsync('spBv1.0/STATE/pv-ws-1');
    expect(JSON.parse(await got)).toEqual({ online: false, timestamp: body.timestamp });
  });

  it('births build the metric sets; data updates by alias; mapped valves and points enter the station', async () => {
    const { t, edge } = await setup();
    expect(valveOf(t)).toMatchObject({ id: 'v-201', name: 'Inlet block valve', state: 'closed', position: 0 });
    expect(read(t, 'site.get')).toMatchObject({ name: 'Sparkplug plant' });
    await waitFor(() => pointOf(t, 'sp-pressure')?.value === 42.5, 'pressure from the NBIRTH');
    expect(pointOf(t, 'sp-pressure')).toMatchObject({ unit: 'bar', segment: 'seg-01', quality: 'good' });
    edge.setPressure(43.25);
    await waitFor(() => pointOf(t, 'sp-pressure')?.value === 43.25, 'pressure from NDATA', LONG);
    edge.move(100);
    await waitFor(() => valveOf(t)?.state === 'open' && valveOf(t)?.position === 100, 'the valve open', LONG);
    // Telemetry takes the samples as it takes the Plainview protocol's: trends have them.
    await waitFor(
      async () => {
        const trend = await t.station.running().telemetry.trends.get('sp-pressure', '1h', Date.now());
        return trend.v.includes(43.25);
      },
      'the sample in the trend',
      LONG,
    );
    // The field browser: mapped and unmapped metrics, with their type and quality.
    expect(metricIn(t, 'Firmware')).toMatchObject({
      value: '1.2.3',
      datatype: 'String',
      quality: 'GOOD',
      mappedTo: null,
      alias: 2,
    });
    expect(metricIn(t, 'Line/Pressure')).toMatchObject({ value: 43.25, mappedTo: 'point sp-pressure' });
    expect(metricIn(t, 'Temperature', 'valve-a')).toMatchObject({ value: -7, datatype: 'Int16' });
    expect(metricIn(t, 'State', 'valve-a')).toMatchObject({ value: 'open', mappedTo: 'valve v-201 state' });
    expect(browse(t)).toMatchObject({ enabled: true, hostId: 'pv-ws-1', primary: true, link: 'online' });
  }, 120_000);

  it('NDEATH with the birth bdSeq marks everything STALE at the host time; another bdSeq is ignored', async () => {
    const { t, edge, watcher } = await setup();
    // A death from an older session (another bdSeq) is not this session's death.
    const stale = encodePayload({
      timestamp: Date.now(),
      metrics: [{ name: 'bdSeq', datatype: DataType.UInt64, value: 7 }],
    });
    await watcher.publishAsync('spBv1.0/plant/NDEATH/edge-1', Buffer.from(stale), { qos: 1 });
    await waitFor(() => rejected(t, 'bdseq_mismatch NDEATH') === 1, 'the mismatched death set aside', LONG);
    expect(valveOf(t)?.quality).toBe('good');
    expect(metricIn(t, 'Firmware')?.quality).toBe('GOOD');

    const before = Date.now();
    edge.stop(); // NDEATH with bdSeq 0, then DISCONNECT
    await waitFor(() => valveOf(t)?.quality === 'stale', 'the valve stale', LONG);
    expect(pointOf(t, 'sp-pressure')?.quality).toBe('stale');
    const m = metricIn(t, 'Firmware')!;
    expect(m.quality).toBe('STALE');
    expect(Date.parse(m.updatedAt!)).toBeGreaterThanOrEqual(before - 5);
    expect(metricIn(t, 'State', 'valve-a')?.quality).toBe('STALE');
    const node = browse(t).nodes.find((n) => n.node === 'edge-1')!;
    expect(node).toMatchObject({ online: false, bdSeq: 0 });
    expect(node.devices[0]).toMatchObject({ online: false });
    // One alarm for the edge node, as for a Plainview gateway.
    await waitFor(
      () =>
        t.station
          .running()
          .alarms.list()
          .some((a) => a.id === 'gateway-offline-sp.plant.edge-1' && a.state.startsWith('active')),
      'the gateway alarm',
      LONG,
    );
  }, 120_000);

  it('DDEATH marks the device STALE, not the node', async () => {
    const { t, edge } = await setup();
    edge.client.publishDeviceDeath('valve-a', { timestamp: Date.now(), metrics: [] });
    await waitFor(() => valveOf(t)?.quality === 'stale', 'the valve stale', LONG);
    expect(metricIn(t, 'State', 'valve-a')?.quality).toBe('STALE');
    expect(metricIn(t, 'Firmware')?.quality).toBe('GOOD');
    expect(pointOf(t, 'sp-pressure')?.quality).toBe('good');
  }, 120_000);

  it('a seq gap that does not fill in the reorder window asks for a rebirth, once; the edge rebirths', async () => {
    const { t, edge } = await setup({ reorderMs: 300 });
    const births = edge.births;
    edge.seq = edge.seq + 2; // two messages "lost"
    edge.setPressure(50);
    edge.setPressure(51);
    await waitFor(() => edge.rebirthRequests === 1, 'the rebirth request at the edge', LONG);
    await waitFor(() => edge.births === births + 1, 'the edge born again', LONG);
    await waitFor(() => pointOf(t, 'sp-pressure')?.value === 51, 'the value from the new birth', LONG);
    expect(sp(t).counters.rebirthsRequested).toBe(1);
    // Both early messages set aside: in the window when it closed, or after it while the rebirth was awaited.
    expect(rejected(t, 'seq_gap NDATA') + rejected(t, 'awaiting_rebirth NDATA')).toBe(2);
    // In order again: data applies.
    edge.setPressure(52);
    await waitFor(() => pointOf(t, 'sp-pressure')?.value === 52, 'data after the rebirth', LONG);
    expect(edge.rebirthRequests).toBe(1);
  }, 120_000);

  it('a gap that fills within the window applies in order, without a rebirth', async () => {
    const { t, edge } = await setup({ reorderMs: 60_000 });
    const seq = edge.seq;
    edge.seq = seq + 1;
    edge.setPressure(60); // arrives early (seq + 1)
    await waitFor(() => sp(t).host.nodes.get('plant/edge-1')!.early.size === 1, 'held in the window', LONG);
    edge.seq = seq;
    edge.setPressure(59); // the missing one
    // The host applies them in seq order: the last applied is 60 (the station's point keeps
    // the value with the newest field time, 59's, as it does for any late sample).
    await waitFor(() => metricIn(t, 'Line/Pressure')?.value === 60, 'both applied, in order', LONG);
    expect(sp(t).counters.rebirthsRequested).toBe(0);
    expect(sp(t).host.nodes.get('plant/edge-1')!.reorderTimer).toBeNull();
  }, 120_000);

  it('data before a birth and an unknown alias ask for a rebirth', async () => {
    const { t, edge, watcher, seen } = await setup();
    // A node never born here: its data asks it to rebirth (NCMD, QoS 0, not retained).
    const data = encodePayload({
      timestamp: Date.now(),
      seq: 4,
      metrics: [{ alias: 1, datatype: DataType.Double, value: 1 }],
    });
    await watcher.publishAsync('spBv1.0/plant/NDATA/ghost', Buffer.from(data));
    const ncmd = await waitFor(() => seen.find((m) => m.topic === 'spBv1.0/plant/NCMD/ghost'), 'NCMD to ghost', LONG);
    expect(ncmd.retain).toBe(false);
    // An alias the birth did not declare.
    edge.client.publishNodeData({ timestamp: Date.now(), metrics: [{ alias: 99, type: 'Double', value: 3 }] } as never);
    await waitFor(() => edge.rebirthRequests === 1, 'the rebirth request', LONG);
    expect(sp(t).counters.metricIssues.get('unknown_alias NDATA')).toBe(1);
  }, 120_000);

  it('losing the broker marks everything STALE; back, the edge births again and values are good', async () => {
    const { t, broker, edge } = await setup();
    const births = edge.births;
    await broker.kill();
    await waitFor(() => valveOf(t)?.quality === 'stale', 'the valve stale', LONG);
    await waitFor(() => metricIn(t, 'Firmware')?.quality === 'STALE', 'metrics STALE', LONG);
    expect(browse(t).link).not.toBe('online');
    await broker.restart();
    await waitFor(() => edge.births > births, 'the edge born again', LONG);
    await waitFor(
      () => valveOf(t)?.quality === 'good' && metricIn(t, 'Firmware')?.quality === 'GOOD',
      'good again',
      LONG,
    );
  }, 120_000);

  it('a valve command: select, operate, DCMD at the edge, its reported state completes it, audited', async () => {
    const { t, edge } = await setup();
    const act = t.station.running().actuation;
    const sel = act.select({ valveId: 'v-201', action: 'open' }, { requestId: 'req-sp' });
    if (!sel.ok) throw new Error(`select refused: ${sel.refusal.message}`);
    const op = await act.operate(sel.value.id, { requestId: 'req-sp' });
    expect(op.ok).toBe(true);
    await waitFor(() => act.commands.get(sel.value.id)?.state === 'completed', 'completed', LONG);
    expect(edge.dcmds).toHaveLength(1);
    expect(edge.dcmds[0]!.device).toBe('valve-a');
    expect(edge.dcmds[0]!.payload.metrics).toEqual([expect.objectContaining({ name: 'Command', value: 'open' })]);
    expect(valveOf(t)).toMatchObject({ state: 'open', position: 100 });
    expect(act.commands.history(sel.value.id)!.transitions.map((x) => x.state)).toEqual([
      'selected',
      'sent',
      'accepted',
      'completed',
    ]);
    const audit = t.station
      .running()
      .audit.list()
      .filter((e) => e.correlationId === sel.value.id)
      .map((e) => [e.action, e.result]);
    expect(audit).toEqual([
      ['actuation.select', 'selected'],
      ['actuation.operate', 'sent'],
      ['actuation.accepted', 'accepted'],
      ['actuation.completed', 'completed'],
    ]);
  }, 120_000);
});
