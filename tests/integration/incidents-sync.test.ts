import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startMosquitto } from '../helpers/brokers';
import { isMarker, markers } from '../helpers/markers';
import { twoStations } from '../helpers/two-stations';
import { ask, read, testStation, type TestStation } from '../helpers/station';
import { waitFor } from '../helpers/wait';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const inc = (s: TestStation) => s.station.running().incidents;

describe('incidents across two consoles', () => {
  it('created on A, seen on B; conflicting edits in a partition converge; every note once', async () => {
    const { a, b, proxy, sim } = await twoStations(cleanups, { field: true });
    sim!.raiseLeak('seg-02');
    await waitFor(() => a.station.running().alarms.get('leak-seg-02'), 'the leak alarm on A');

    const created = inc(a).create('alice', {
      title: 'Pressure drop KP 14',
      severity: 'high',
      description: 'seen on seg-02',
      segment: 'seg-02',
      valves: ['v-107'],
      alarms: ['leak-seg-02'],
    });
    expect(created.ok).toBe(true);
    const id = created.ok ? created.value.id : '';
    await waitFor(() => inc(b).get(id)?.title === 'Pressure drop KP 14', 'the incident on B');
    expect(inc(b).links(id)).toEqual(
      expect.arrayContaining([
        { kind: 'valve', targetId: 'v-107' },
        { kind: 'alarm', targetId: 'leak-seg-02' },
      ]),
    );

    await proxy.cut();
    await waitFor(() => !b.station.running().field.link.online, 'B offline');
    expect(inc(a).update('alice', id, { status: 'investigating', assignee: 'alice' }).ok).toBe(true);
    expect(inc(a).note('alice', id, 'crew dispatched').ok).toBe(true);
    // B's edit is later, and must win where they conflict: the clock has moved on past A's edits.
    const editedOnA = Date.now();
    await waitFor(() => Date.now() > editedOnA + 1, "the clock past A's edits");
    expect(inc(b).update('bob', id, { status: 'mitigated', severity: 'critical' }).ok).toBe(true);
    expect(inc(b).note('bob', id, 'valve v-107 closed locally').ok).toBe(true);
    expect(inc(a).get(id)!.status).not.toBe(inc(b).get(id)!.status);

    await proxy.heal();
    await waitFor(() => b.station.running().field.link.online, 'B back', 30_000);
    const view = (s: TestStation) =>
      JSON.stringify({
        ...inc(s).get(id),
        updatedAt: null,
        timeline: inc(s)
          .timeline(id)
          .map((t) => t.id),
      });
    await waitFor(() => view(a) === view(b) && inc(a).timeline(id).length === 5, 'convergence', 30_000);
    expect(inc(a).get(id)).toMatchObject({ status: 'mitigated', severity: 'critical', assignee: 'alice' });
    const notes = inc(a)
      .timeline(id)
      .filter((t) => t.kind === 'note')
      .map((t) => t.note);
    expect(notes.sort()).toEqual(['crew dispatched', 'valve v-107 closed locally']);
  }, 60_000);

  it('a console that joins late catches up from the retained snapshot, and an edit made there reaches the others', async () => {
    const { a, b, broker } = await twoStations(cleanups, { field: true });
    const created = inc(a).create('alice', {
      title: 'Odorant low at KP 3',
      severity: 'medium',
      description: 'tank reading 12 %',
      segment: 'seg-01',
      valves: ['v-102'],
      alarms: [],
    });
    const id = created.ok ? created.value.id : '';
    await waitFor(() => inc(b).get(id) !== null, 'the incident on B');
    expect(inc(b).update('bob', id, { status: 'investigating', assignee: 'bob' }).ok).toBe(true);
    expect(inc(b).note('bob', id, 'refill ordered').ok).toBe(true);
    for (const s of [a, b]) await waitFor(() => s.station.running().outbox.unsentCount() === 0, 'published');
    await waitFor(() => inc(a).timeline(id).length === 3, 'B’s edits on A');

    // A new console, never online before: all it knows of the incident is the retained snapshot.
    const c = testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_STATION_ID: 'ws-c' }, undefined, {
      osAccount: 'carol',
    });
    await c.station.start();
    cleanups.push(() => c.station.stop());
    const view = (s: TestStation) =>
      JSON.stringify({ ...inc(s).get(id), updatedAt: null, timeline: inc(s).timeline(id), links: inc(s).links(id) });
    await waitFor(() => view(c) === view(a), `C caught up: ${view(c)} vs ${view(a)}`, 30_000);
    expect(inc(c).get(id)).toMatchObject({ status: 'investigating', assignee: 'bob', createdBy: 'alice' });

    // C takes part like any console.
    expect(inc(c).update('carol', id, { status: 'mitigated' }).ok).toBe(true);
    for (const s of [a, b]) await waitFor(() => inc(s).get(id)?.status === 'mitigated', 'C’s edit everywhere');
  }, 60_000);

  it('a busy incident shares its snapshots: a burst of 30 notes is one retained message carrying them all', async () => {
    // One console: every console publishes the snapshot of what it applies.
    const broker = await startMosquitto();
    const a = testStation({ PLAINVIEW_MQTT_URL: broker.url });
    await a.station.start();
    cleanups.push(() => a.station.stop());
    await waitFor(() => a.station.running().field.link.online, 'online');
    const created = inc(a).create('alice', {
      title: 'Compressor trip at KP 9',
      severity: 'high',
      description: '',
      segment: null,
      valves: [],
      alarms: [],
    });
    const id = created.ok ? created.value.id : '';
    const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    cleanups.push(() => sub.endAsync());
    const snapshots: { events: { type: string }[] }[] = [];
    sub.on('message', (topic, payload) => {
      if (!isMarker(topic) && payload.length) snapshots.push(JSON.parse(payload.toString()));
    });
    const marker = await markers(sub);
    await sub.subscribeAsync(`plainview/v2/+/stations/+/snapshots/incidents/${id}`, { qos: 1 });
    await waitFor(() => snapshots.length > 0, 'the snapshot of the new incident');

    snapshots.length = 0;
    for (let i = 0; i < 30; i++) expect(inc(a).note('alice', id, `reading ${i}`).ok).toBe(true);
    await waitFor(() => snapshots.some((m) => m.events.length === 31), 'a snapshot with all 30 notes', 20_000);
    // Nothing more to come: the outbox has sent (and the broker acknowledged) every snapshot
    // due, and a marker from the station, sent after them, has reached the subscriber.
    const { field, outbox } = a.station.running();
    await waitFor(() => outbox.unsentCount() === 0, 'every snapshot sent');
    await marker.through((topic, payload) => field.link.publish(topic, payload), 'after the snapshots');
    // One (at most two, if the burst straddled a send) rather than one per note, each the whole timeline.
    expect(snapshots.length).toBeLessThanOrEqual(2);
    const rows = a.station
      .running()
      .store.db.prepare('SELECT count(*) FROM outbox WHERE topic LIKE ?')
      .pluck()
      .get(`%/snapshots/incidents/${id}`);
    expect(rows).toBe(1);
  }, 60_000);

  it('sent outbox messages go after 30 days; unsent ones stay however old', async () => {
    const t = testStation({});
    await t.station.start();
    cleanups.push(() => t.station.stop());
    const { store, outbox } = t.station.running();
    const day = 86_400_000;
    const ago = (days: number) => new Date(Date.now() - days * day).toISOString();
    const add = store.db.prepare(
      'INSERT INTO outbox (id, topic, payload, retain, created_at, sent_at) VALUES (?, ?, ?, 0, ?, ?)',
    );
    add.run('old-sent', 'events/ws-1', '{}', ago(40), ago(31));
    add.run('recent-sent', 'events/ws-1', '{}', ago(3), ago(2));
    add.run('old-unsent', 'events/ws-1', '{}', ago(40), null);
    expect(outbox.prune()).toBe(1);
    const ids = store.db.prepare("SELECT id FROM outbox WHERE topic = 'events/ws-1' ORDER BY id").pluck().all();
    expect(ids).toEqual(['old-unsent', 'recent-sent']);
  });

  it('through the contract: a viewer cannot open an incident; detail carries timeline and links', async () => {
    const viewer = testStation({ PLAINVIEW_OS_ACCOUNT_ROLE: 'viewer' });
    await viewer.station.start();
    cleanups.push(() => viewer.station.stop());
    expect(
      ask(viewer, 'incidents.create', {
        title: 'x',
        severity: 'low',
        description: '',
        segment: null,
        valves: [],
        alarms: [],
      }),
    ).toMatchObject({ ok: false, refusal: { message: expect.stringMatching(/viewer/) } });
    const op = testStation({});
    await op.station.start();
    cleanups.push(() => op.station.stop());
    await waitFor(() => op.station.running().field.state.valves.has('v-101'), 'the DEMO valves');
    // Links are checked: a valve the site does not have is refused, naming the field.
    expect(
      ask(op, 'incidents.create', { title: 'x', severity: 'low', segment: 'seg-01', valves: ['v-999'], alarms: [] }),
    ).toMatchObject({ ok: false, refusal: { code: 'invalid_input', field: 'valves.0' } });
    const r = ask(op, 'incidents.create', {
      title: 'Leak',
      severity: 'high',
      description: 'd',
      segment: 'seg-01',
      valves: ['v-101'],
      alarms: [],
    });
    if (!r.ok) throw new Error(r.refusal.message);
    const id = (r.value as { id: string }).id;
    ask(op, 'incidents.note', { id, text: 'on our way' });
    expect(read(op, 'incidents.get', { id })).toMatchObject({
      incident: { title: 'Leak' },
      links: [{ kind: 'valve', targetId: 'v-101' }],
    });
    expect((read(op, 'incidents.get', { id }) as { timeline: unknown[] }).timeline).toHaveLength(2);
    expect(read(op, 'incidents.list', { status: 'open' })).toHaveLength(1);
  }, 90_000);

  it('stepping back or reopening needs a reason; every change is audited', async () => {
    const t = testStation({});
    await t.station.start();
    cleanups.push(() => t.station.stop());
    const r = inc(t).create('alice', {
      title: 'Test',
      severity: 'low',
      description: '',
      segment: null,
      valves: [],
      alarms: [],
    });
    const id = r.ok ? r.value.id : '';
    expect(inc(t).update('alice', id, { status: 'resolved' }).ok).toBe(true);
    expect(inc(t).update('alice', id, { status: 'open' })).toMatchObject({
      ok: false,
      refusal: { message: expect.stringMatching(/needs a reason/) },
    });
    expect(inc(t).update('alice', id, { status: 'open' }, 'leak returned').ok).toBe(true);
    const actions = t.station
      .running()
      .audit.list()
      .map((e) => e.action);
    expect(actions.filter((x) => x.startsWith('incident.'))).toEqual([
      'incident.create',
      'incident.update',
      'incident.update',
    ]);
  }, 90_000);

  it('a critical incident is resolved only with a resolution note', async () => {
    const t = testStation({});
    await t.station.start();
    cleanups.push(() => t.station.stop());
    const r = inc(t).create('alice', {
      title: 'Rupture',
      severity: 'critical',
      description: '',
      segment: null,
      valves: [],
      alarms: [],
    });
    const id = r.ok ? r.value.id : '';
    expect(inc(t).update('alice', id, { status: 'resolved' })).toMatchObject({
      ok: false,
      refusal: { code: 'conflict', message: expect.stringMatching(/resolution note/) },
    });
    expect(inc(t).get(id)?.status).toBe('open');
    expect(inc(t).update('alice', id, { status: 'resolved' }, 'Clamp fitted, line pressure-tested').ok).toBe(true);
  }, 90_000);
});
