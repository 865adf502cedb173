import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { IngestCounters } from '../../src/main/field/counters';
import { Ingest } from '../../src/main/field/ingest';
import { FieldState } from '../../src/main/field/state';
import { Telemetry } from '../../src/main/telemetry/telemetry';
import { createLogger, memorySink } from '../../src/main/log';
import { openStore } from '../../src/main/store';
import { topics, topicsV1 } from '../../src/shared/protocol';
import { HistoryFile } from '../../src/main/history/file';
import { storedSamples } from '../helpers/history';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const SITE = 'north';

async function setup(queueMax = 200_000, acceptV1 = false) {
  const sink = memorySink();
  const log = createLogger({ level: 'warn', json: true, sinks: [sink] });
  const dataDir = tempDir();
  const { store } = await openStore({ dataDir, migrations, log, mode: 'station' });
  store.db.prepare("INSERT INTO sites VALUES (?, ?, 0, 'now')").run(SITE, SITE);
  let now = Date.parse('2026-11-25T10:00:00Z');
  const state = new FieldState(SITE, 30_000, () => now);
  state.linkOnline = true;
  const counters = new IngestCounters(log, () => now);
  let commits = 0;
  const committed: number[] = [];
  const config = {
    siteId: SITE,
    dataDir,
    ingestQueueMax: queueMax,
    rawRetentionDays: 7,
    minuteRetentionDays: 35,
    rollupRetentionDays: 400,
  };
  // Samples are written on this thread here (the writer thread has tests of its own).
  const telemetry = new Telemetry({ config, db: store.db, counters, log, now: () => new Date(now), sink: 'local' });
  const { writer } = telemetry;
  writer.onCommitted((upTo) => {
    commits++;
    committed.push(upTo);
  });
  const changes: string[] = [];
  const received: string[] = [];
  const ingest = new Ingest(
    state,
    telemetry,
    counters,
    {
      onAck: () => undefined,
      onAlert: () => undefined,
      onAlarmSnapshot: () => undefined,
      onAlarmDefinitions: () => undefined,
      onSample: () => undefined,
      onIncidentSnapshot: (s) => received.push(`snapshot:${s.id}`),
      onStationEvent: (e) => received.push(`event:${e.type}`),
      onChange: (kind, id) => changes.push(`${kind}:${id}`),
    },
    () => now,
    acceptV1,
  );
  const send = (topic: string, body: unknown) =>
    ingest.handle(topic, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
  /** The samples stored (in the history files), once everything handed over is written. */
  const stored = async (only?: (p: string) => boolean) => {
    await waitFor(() => writer.idle, 'everything written');
    return storedSamples(dataDir, only);
  };
  const count = async (only?: (p: string) => boolean) => {
    let n = 0;
    for (const m of (await stored(only)).values()) n += m.size;
    return n;
  };
  return {
    dataDir,
    stored,
    count,
    store,
    state,
    counters,
    writer,
    ingest,
    send,
    sink,
    changes,
    received,
    committed,
    commits: () => commits,
    advance: (ms: number) => (now += ms),
  };
}

const valveState = (over: Record<string, unknown> = {}) => ({
  v: 2,
  ts: '2026-11-25T10:00:00.000Z',
  gateway: 'gw-1',
  name: 'Inlet block',
  segment: 'seg-1',
  state: 'open',
  position: 100,
  quality: 'good',
  localControl: false,
  ...over,
});
const sample = (value: number, ts = '2026-11-25T10:00:00.000Z') => ({ v: 2, ts, value, quality: 'good' });

describe('ingest', () => {
  it('keeps the latest state in memory and writes it to the store in one commit', async () => {
    const t = await setup();
    t.send(topics.valveState(SITE, 'gw-1', 'v-101'), valveState());
    t.send(topics.telemetry(SITE, 'gw-1', 'seg-1.pressure'), sample(41.5));
    t.send(topics.telemetry(SITE, 'gw-1', 'seg-1.pressure'), sample(41.7, '2026-11-25T10:00:01.000Z'));
    expect(t.state.valveView('v-101')).toMatchObject({ state: 'open', position: 100, quality: 'good' });
    expect(t.state.pointView('seg-1.pressure')).toMatchObject({ value: 41.7, quality: 'good' });
    expect(t.changes).toEqual(['valve_state:v-101']);
    expect(t.writer.flush()).toBe(true);
    expect(t.store.db.prepare('SELECT state, position FROM valves WHERE id = ?').get('v-101')).toEqual({
      state: 'open',
      position: 100,
    });
    expect(await t.count()).toBe(2);
    await t.store.close();
  });

  it('a redelivered sample is stored once; a repeat of a point and time is counted as a duplicate, the first kept', async () => {
    const t = await setup();
    for (let i = 0; i < 3; i++) t.send(topics.telemetry(SITE, 'gw-1', 'p-1'), sample(1));
    // Two different values stamped alike (a gateway that stamps a batch with one time).
    t.send(topics.telemetry(SITE, 'gw-1', 'p-1'), sample(7));
    t.writer.flush();
    expect([...(await t.stored()).get('p-1')!.values()]).toEqual([1]);
    expect(t.counters.snapshot()).toMatchObject({ written_samples: 1, duplicate_samples: 3, dropped_samples: 0 });
    await t.store.close();
  });

  it('rejects each kind of bad message with its reason, counted by topic pattern, and changes nothing', async () => {
    const t = await setup();
    t.send(topics.valveState(SITE, 'gw-1', 'v-101'), valveState());
    t.writer.flush();
    const bad: [string, string | object, string][] = [
      [topics.valveState(SITE, 'gw-1', 'v-101'), 'not json {', 'not_json gateways/+/valves/+/state'],
      [topics.valveState(SITE, 'gw-1', 'v-101'), valveState({ v: 1 }), 'version gateways/+/valves/+/state'],
      [topics.valveState(SITE, 'gw-1', 'v-101'), valveState({ v: undefined }), 'version gateways/+/valves/+/state'],
      [topics.valveState(SITE, 'gw-1', 'v-101'), valveState({ state: 'exploded' }), 'schema gateways/+/valves/+/state'],
      [topics.valveState(SITE, 'gw-1', 'v-101'), valveState({ position: '50' }), 'schema gateways/+/valves/+/state'],
      [topics.valveState(SITE, 'gw-1', 'v-101'), 'x'.repeat(70_000), 'oversize gateways/+/valves/+/state'],
      [topics.valveState('south', 'gw-1', 'v-101'), valveState(), 'wrong_site gateways/+/valves/+/state'],
      ['plainview/v2/north/nonsense', valveState(), 'unknown_topic other'],
      [topics.telemetry(SITE, 'gw-1', 'p-1'), { v: 2, ts: 'yesterday', value: 1 }, 'schema gateways/+/points/+/sample'],
      [
        topics.telemetry(SITE, 'gw-1', 'p-1'),
        { v: 2, ts: '2026-11-25T10:00:00.000Z', value: 'NaN' },
        'schema gateways/+/points/+/sample',
      ],
    ];
    for (const [topic, body] of bad) t.send(topic, body);
    const expected: Record<string, number> = {};
    for (const [, , key] of bad) expected[key] = (expected[key] ?? 0) + 1;
    expect(t.counters.snapshot().rejected).toEqual(expected);
    t.writer.flush();
    expect(t.state.valveView('v-101')).toMatchObject({ state: 'open', position: 100 });
    expect(t.store.db.prepare('SELECT state FROM valves').all()).toEqual([{ state: 'open' }]);
    expect(await t.count()).toBe(0);
    // Logged at a limited rate: one line per kind, not one per message.
    for (let i = 0; i < 1000; i++) t.send(topics.valveState(SITE, 'gw-1', 'v-101'), 'garbage');
    expect(t.sink.lines.length).toBeLessThan(bad.length + 3);
    await t.store.close();
  });

  it('station events and snapshots with a body this station cannot apply are rejected and counted, the good ones pass', async () => {
    const t = await setup();
    const hlc = '001764064800000-0000-ws-b';
    const event = (type: string, body: Record<string, unknown>) => ({
      v: 2,
      id: crypto.randomUUID(),
      type,
      station: 'ws-b',
      ts: '2026-11-25T10:00:00.000Z',
      body,
    });
    const events = topics.stationEvents(SITE, 'ws-b');
    const good = event('alarm.ack', { alarmId: 'leak-seg-02', actor: 'bob', hlc });
    const bad = [
      event('alarm.ack', { alarmId: 'leak-seg-02', actor: 'bob' }), // no clock
      event('alarm.shelve', { alarmId: 'leak-seg-02', actor: 'bob', hlc, until: 'tomorrow', reason: 'x' }),
      event('incident.update', {
        incidentId: 'inc-1',
        actor: 'bob',
        hlc,
        fields: { status: 'exploded' },
        reason: null,
      }),
      event('incident.update', { incidentId: 'inc-1', actor: 'bob', hlc, fields: { owner: 'eve' }, reason: null }),
      event('alarm.delete', { alarmId: 'leak-seg-02', actor: 'bob', hlc }), // a type nobody defined
    ];
    for (const e of [good, ...bad]) t.send(events, e);
    const note = { incidentId: 'inc-1', actor: 'bob', hlc, text: 'crew on site' };
    const snapshot = (body: Record<string, unknown>) => ({
      v: 2,
      id: 'inc-1',
      events: [{ eventId: 'e-1', type: 'incident.note', at: '2026-11-25T10:00:00.000Z', body }],
    });
    t.send(topics.incidentSnapshot(SITE, 'ws-b', 'inc-1'), snapshot(note));
    t.send(topics.incidentSnapshot(SITE, 'ws-b', 'inc-1'), snapshot({ ...note, text: '' }));
    expect(t.counters.snapshot().rejected).toEqual({
      'schema stations/+/events': bad.length,
      'schema stations/+/snapshots/incidents/+': 1,
    });
    expect(t.received).toEqual(['event:alarm.ack', 'snapshot:inc-1']);
    // The first of a kind is logged with what was wrong (then rate-limited summaries).
    expect(t.sink.lines.some((l) => l.includes('alarm.ack body: hlc'))).toBe(true);
    await t.store.close();
  });

  it('100,000 fuzzed payloads: every one counted, valid traffic between them all ingested', async () => {
    const t = await setup();
    let seed = 7;
    const rnd = () => (seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
    const nest = (d: number): unknown => (d === 0 ? 1 : { a: [nest(d - 1)] });
    const generators: (() => string | Buffer)[] = [
      () => Buffer.from(Array.from({ length: Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256))),
      () => JSON.stringify({ v: 2, ts: rnd(), value: 'x' }),
      () => JSON.stringify({ v: rnd() > 0.5 ? 2 : null, ts: '2026-11-25T10:00:00.000Z', value: 1 }),
      () => JSON.stringify(nest(2000)),
      () => 'x'.repeat(65 * 1024),
      () => JSON.stringify([1, 2, 3]),
      () => 'null',
      // JSON allows a number too large for a double; it parses to Infinity and must be refused.
      () => '{"v":2,"ts":"2026-11-25T10:00:00.000Z","value":1e400}',
    ];
    // A pool of garbage, built once: the test measures ingest, not the generators.
    const pool = Array.from({ length: 400 }, (_, i) => {
      const body = generators[i % generators.length]!();
      return Buffer.isBuffer(body) ? body : Buffer.from(body);
    });
    const topicsList = [
      topics.valveState(SITE, 'gw-1', 'v-9'),
      topics.telemetry(SITE, 'gw-1', 'p-9'),
      topics.alert(SITE, 'a-1'),
      topics.site(SITE),
    ];
    let valid = 0;
    for (let i = 0; i < 100_000; i++) {
      t.ingest.handle(topicsList[i % topicsList.length]!, pool[i % pool.length]!);
      if (i % 100 === 0) {
        t.send(
          topics.telemetry(SITE, 'gw-1', 'p-ok'),
          sample(valid, new Date(Date.parse('2026-11-25T10:00:00Z') + valid * 1000).toISOString()),
        );
        valid++;
      }
    }
    t.writer.flush();
    expect(t.counters.totalRejected()).toBe(100_000);
    expect(t.counters.snapshot().accepted).toEqual({ telemetry: valid });
    expect(await t.count((p) => p === 'p-ok')).toBe(valid);
    expect(t.store.db.prepare('SELECT count(*) AS n FROM valves').get()).toEqual({ n: 0 });
    await t.store.close();
  }, 60_000);

  it('when the write queue is full, the oldest samples are dropped and counted, never state', async () => {
    const t = await setup(100);
    for (let i = 0; i < 250; i++)
      t.send(
        topics.telemetry(SITE, 'gw-1', 'p-1'),
        sample(i, new Date(Date.parse('2026-11-25T10:00:00Z') + i * 1000).toISOString()),
      );
    t.send(topics.valveState(SITE, 'gw-1', 'v-101'), valveState());
    expect(t.counters.dropped).toBe(150);
    t.writer.flush();
    const rows = [...(await t.stored()).get('p-1')!.entries()].sort((a, b) => a[0] - b[0]);
    expect(rows).toHaveLength(100);
    expect(rows[0]![1]).toBe(150);
    expect(t.store.db.prepare('SELECT count(*) AS n FROM valves').get()).toEqual({ n: 1 });
    await t.store.close();
  });

  it('a large backlog is committed in batches, oldest first, reporting how far each commit reached', async () => {
    const t = await setup();
    const base = Date.parse('2026-11-25T10:00:00Z');
    for (let i = 0; i < 2500; i++)
      t.send(topics.telemetry(SITE, 'gw-1', `p-${i % 50}`), sample(i, new Date(base + i * 10).toISOString()));
    t.send(topics.valveState(SITE, 'gw-1', 'v-101'), valveState());
    expect(t.writer.flush()).toBe(true);
    // The valve is committed at once; no sample is durable yet, so nothing is acknowledged.
    expect(t.store.db.prepare('SELECT count(*) AS n FROM valves').get()).toEqual({ n: 1 });
    expect(t.committed.every((n) => n === 0)).toBe(true);
    await waitFor(() => t.writer.idle, 'the rest written');
    // Then batch by batch (1,000 samples each on this thread), oldest first.
    expect([...new Set(t.committed.filter((n) => n > 0))]).toEqual([1000, 2000, t.writer.sequence]);
    expect(await t.count()).toBe(2500);
    await t.store.close();
  });

  it('a failed commit keeps the batch and acknowledges nothing until it succeeds', async () => {
    const t = await setup();
    // The day's history file refuses every sample, as a full disk would.
    fs.mkdirSync(path.join(t.dataDir, 'history'), { recursive: true });
    const file = HistoryFile.forWriting(path.join(t.dataDir, 'history'), 'samples', '2026-11-25');
    file.db.exec("CREATE TRIGGER fail BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    t.send(topics.telemetry(SITE, 'gw-1', 'p-1'), sample(1));
    t.writer.flush();
    await waitFor(() => t.counters.writeErrors >= 2, 'the retry, failing again');
    // Retried and failed again: still nothing acknowledged.
    expect(t.committed.every((n) => n === 0)).toBe(true);
    expect(t.counters.writeErrors).toBeGreaterThanOrEqual(2);
    file.db.exec('DROP TRIGGER fail');
    file.close();
    await waitFor(() => t.writer.idle && t.committed.at(-1) === 1, 'the next retry, succeeding');
    expect(await t.count()).toBe(1);
    t.writer.stop();
    await t.store.close();
  });

  it('values go stale when not refreshed in time, and with the link down', async () => {
    const t = await setup();
    t.send(topics.telemetry(SITE, 'gw-1', 'p-1'), sample(1));
    t.send(topics.valveState(SITE, 'gw-1', 'v-101'), valveState());
    expect(t.state.pointView('p-1')!.quality).toBe('good');
    t.advance(31_000);
    expect(t.state.pointView('p-1')).toMatchObject({ quality: 'stale', ageMs: 31_000 });
    expect(t.state.valveView('v-101')!.quality).toBe('good');
    t.state.linkOnline = false;
    expect(t.state.valveView('v-101')!.quality).toBe('stale');
    t.writer.stop();
    await t.store.close();
  });

  it('a point that asks for history compression has a thinned history; live values see every sample', async () => {
    const t = await setup();
    t.send(topics.pointMeta(SITE, 'gw-1', 'p-1'), {
      v: 2,
      gateway: 'gw-1',
      kind: 'pressure',
      unit: 'bar',
      compression: { deviation: 0.5 },
    });
    t.send(topics.pointMeta(SITE, 'gw-1', 'p-2'), { v: 2, gateway: 'gw-1', kind: 'pressure', unit: 'bar' });
    const base = Date.parse('2026-11-25T10:00:00Z');
    for (let i = 0; i < 200; i++)
      for (const p of ['p-1', 'p-2'])
        t.send(topics.telemetry(SITE, 'gw-1', p), sample(40 + (i % 3) * 0.1, new Date(base + i * 1000).toISOString()));
    expect(t.state.pointView('p-1')).toMatchObject({ value: 40 + (199 % 3) * 0.1 });
    const stored = await t.stored();
    expect(stored.get('p-2')!.size).toBe(200);
    expect(stored.get('p-1')!.size).toBe(1);
    expect(t.counters.snapshot().compressed_samples).toBe(198); // one stored, one held (stored at stop)
    await t.store.close();
  });

  it('a gateway going offline makes its valves stale', async () => {
    const t = await setup();
    t.send(topics.valveState(SITE, 'gw-1', 'v-101'), valveState({ gateway: 'gw-1' }));
    t.send(topics.valveState(SITE, 'gw-2', 'v-102'), valveState({ gateway: 'gw-2' }));
    t.send(topics.gatewayPresence(SITE, 'gw-1'), { v: 2, status: 'offline', ts: '2026-11-25T10:00:00.000Z' });
    expect(t.state.valveView('v-101')!.quality).toBe('stale');
    expect(t.state.valveView('v-102')!.quality).toBe('good');
    t.writer.stop();
    await t.store.close();
  });

  it('v2: a gateway writes its own valves and points only; refused and counted otherwise', async () => {
    const t = await setup();
    const meta = (gateway: string) => ({ v: 2, gateway, kind: 'pressure', unit: 'bar' });
    t.send(topics.valveState(SITE, 'gw-1', 'v-101'), valveState({ gateway: 'gw-1' }));
    t.send(topics.pointMeta(SITE, 'gw-1', 'p-1'), meta('gw-1'));
    // The payload names another gateway than the topic.
    t.send(topics.valveState(SITE, 'gw-2', 'v-102'), valveState({ gateway: 'gw-1' }));
    t.send(topics.pointMeta(SITE, 'gw-2', 'p-2'), meta('gw-1'));
    // Its own topics, but another gateway's valve and point.
    t.send(topics.valveState(SITE, 'gw-2', 'v-101'), valveState({ gateway: 'gw-2', state: 'closed', position: 0 }));
    t.send(topics.pointMeta(SITE, 'gw-2', 'p-1'), meta('gw-2'));
    t.send(topics.telemetry(SITE, 'gw-2', 'p-1'), sample(99));
    t.send(topics.valveAck(SITE, 'gw-2', 'v-101'), {
      v: 2,
      commandId: crypto.randomUUID(),
      status: 'completed',
      ts: '2026-11-25T10:00:00.000Z',
    });
    // A station's events carry its own id.
    t.send(topics.stationEvents(SITE, 'ws-b'), {
      v: 2,
      id: crypto.randomUUID(),
      type: 'alarm.ack',
      station: 'ws-c',
      ts: '2026-11-25T10:00:00.000Z',
      body: { alarmId: 'a-1', actor: 'bob', hlc: '001764064800000-0000-ws-c' },
    });
    expect(t.counters.snapshot().rejected).toEqual({
      'owner gateways/+/valves/+/state': 2,
      'owner gateways/+/points/+/meta': 2,
      'owner gateways/+/points/+/sample': 1,
      'owner gateways/+/valves/+/ack': 1,
      'owner stations/+/events': 1,
    });
    expect(t.state.valveView('v-101')).toMatchObject({ state: 'open' });
    expect(t.state.valves.get('v-101')?.msg.gateway).toBe('gw-1');
    expect(t.state.valves.has('v-102')).toBe(false);
    expect(t.state.pointView('p-1')).toMatchObject({ value: null });
    expect(t.received).toEqual([]);
    t.writer.stop();
    await t.store.close();
  });

  it('valve ids are lower case in topics and payloads (docs/protocol.md): V-903 is refused and counted', async () => {
    const t = await setup();
    t.send('plainview/v2/north/gateways/gw-1/valves/V-903/state', valveState());
    t.send(topics.pointMeta(SITE, 'gw-1', 'V-903-position'), {
      v: 2,
      gateway: 'gw-1',
      kind: 'position',
      unit: '%',
      valve: 'V-903',
    });
    expect(t.counters.snapshot().rejected).toEqual({ 'unknown_topic other': 1, 'schema gateways/+/points/+/meta': 1 });
    expect(t.state.valves.size).toBe(0);
    t.writer.stop();
    await t.store.close();
  });

  it('v1 topics are refused unless the site accepts v1; once a gateway speaks v2 its v1 leftovers are ignored', async () => {
    const off = await setup();
    off.send(topicsV1.valveState(SITE, 'v-101'), valveState({ v: 1 }));
    expect(off.counters.snapshot().rejected).toEqual({ 'version v1 valves/+/state': 1 });
    off.writer.stop();
    await off.store.close();

    const t = await setup(200_000, true);
    t.send(topicsV1.gatewayPresence(SITE, 'gw-1'), { v: 1, status: 'online', ts: '2026-11-25T10:00:00.000Z' });
    t.send(topicsV1.valveState(SITE, 'v-101'), valveState({ v: 1 }));
    // A v2 payload on a v1 topic is no v1 message.
    t.send(topicsV1.valveState(SITE, 'v-102'), valveState({ v: 2 }));
    expect(t.state.valves.get('v-101')).toMatchObject({ protocol: 1 });
    // The gateway is upgraded: v2 from now on.
    t.send(topics.gatewayPresence(SITE, 'gw-1'), { v: 2, status: 'online', ts: '2026-11-25T10:01:00.000Z' });
    t.send(topics.valveState(SITE, 'gw-1', 'v-101'), valveState({ state: 'closed', position: 0 }));
    expect(t.state.valves.get('v-101')).toMatchObject({ protocol: 2 });
    // Its v1 retained leftovers (an old state, the offline it said when it stopped) change nothing.
    t.send(topicsV1.gatewayPresence(SITE, 'gw-1'), { v: 1, status: 'offline', ts: '2026-11-25T10:00:30.000Z' });
    t.send(topicsV1.valveState(SITE, 'v-101'), valveState({ v: 1 }));
    expect(t.counters.snapshot().rejected).toEqual({
      'version v1 valves/+/state': 2,
      'version v1 presence/gateways/+': 1,
    });
    expect(t.state.valveView('v-101')).toMatchObject({ state: 'closed', quality: 'good' });
    t.writer.stop();
    await t.store.close();
  });
});
