import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/main/log';
import { FieldSimulator } from '../../src/main/sim';
import { twoStations } from '../helpers/two-stations';
import { testStation, type TestStation } from '../helpers/station';
import { waitFor } from '../helpers/wait';

const quiet = createLogger({ level: 'error', json: true, sinks: [] });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function withSimulator() {
  const site = await twoStations(cleanups);
  const sim = new FieldSimulator({
    brokerUrl: site.broker.url,
    site: 'north',
    log: quiet,
    demo: false,
    valves: 18,
    rate: 10,
  });
  await sim.start();
  cleanups.push(() => sim.stop());
  return { ...site, sim };
}

const alarms = (s: TestStation) => s.station.running().alarms;
/** The shared alarms: each station's own link alarm is local to it by design (docs/sync.md). */
const view = (s: TestStation) =>
  alarms(s)
    .list()
    .filter((x) => !x.id.startsWith('link-down-'))
    .map((x) => ({
      id: x.id,
      state: x.state,
      ackedBy: x.ackedBy,
      shelvedBy: x.shelvedBy,
      shelvedUntil: x.shelvedUntil,
      resolvedAt: x.resolvedAt,
    }))
    .sort((x, y) => x.id.localeCompare(y.id));

describe('alarms across two consoles (two stations, one mosquitto)', () => {
  it('a PipelineGuard alarm reaches both; an acknowledgement on A appears on B', async () => {
    const { a, b, sim } = await withSimulator();
    sim.raiseLeak('seg-01');
    for (const s of [a, b])
      await waitFor(() => alarms(s).get('leak-seg-01')?.state === 'active_unacked', 'the alarm on both').catch((e) => {
        throw new Error(
          `${String(e)} ${JSON.stringify(s.station.running().field.counters.snapshot())} ${s.lines
            .filter((l) => /alarm|alert|ERROR/i.test(l))
            .slice(-5)
            .join(' | ')}`,
        );
      });
    expect(alarms(a).get('leak-seg-01')).toMatchObject({
      priority: 'critical',
      source: 'pipelineguard',
      segment: 'seg-01',
    });
    expect(alarms(a).acknowledge('leak-seg-01', 'alice').ok).toBe(true);
    await waitFor(() => alarms(b).get('leak-seg-01')?.state === 'active_acked', 'the acknowledgement on B');
    expect(alarms(b).get('leak-seg-01')!.ackedBy).toBe('alice');
    // Audited where it was done.
    expect(
      a.station
        .running()
        .audit.list()
        .some((e) => e.action === 'alarm.ack' && e.subject === 'leak-seg-01'),
    ).toBe(true);
  }, 60_000);

  it('partition: conflicting changes on both sides converge to the same state once healed', async () => {
    const { a, b, sim, proxy } = await withSimulator();
    sim.raiseLeak('seg-01');
    sim.raiseLeak('seg-02');
    for (const s of [a, b])
      await waitFor(
        () =>
          alarms(s)
            .list()
            .filter((x) => x.state === 'active_unacked').length === 2,
        'two alarms',
      );

    await proxy.cut();
    await waitFor(() => !b.station.running().field.link.online, 'B offline');
    const later = new Date(Date.now() + 3_600_000);
    // Concurrent, conflicting work on both sides of the partition.
    expect(alarms(a).acknowledge('leak-seg-01', 'alice').ok).toBe(true);
    expect(alarms(b).shelve('leak-seg-01', 'bob', later, 'crew on site').ok).toBe(true);
    expect(alarms(a).acknowledge('leak-seg-02', 'alice').ok).toBe(true);
    expect(alarms(b).acknowledge('leak-seg-02', 'bob').ok).toBe(true);
    // The field clears one while B cannot hear it.
    sim.clearLeak('seg-02');
    await waitFor(() => alarms(a).get('leak-seg-02')?.state === 'normal', 'cleared on A');
    expect(view(a)).not.toEqual(view(b));

    await proxy.heal();
    await waitFor(() => b.station.running().field.link.online, 'B online again', 30_000);
    for (const s of [a, b])
      await waitFor(() => s.station.running().outbox.unsentCount() === 0, 'outbox drained', 30_000);
    await waitFor(
      () => JSON.stringify(view(a)) === JSON.stringify(view(b)),
      `convergence: ${JSON.stringify(view(a))} vs ${JSON.stringify(view(b))}`,
      30_000,
    );
    expect(alarms(a).get('leak-seg-01')).toMatchObject({
      state: 'active_acked',
      ackedBy: 'alice',
      shelvedBy: 'bob',
      shelvedUntil: later.toISOString(),
    });
    expect(alarms(a).get('leak-seg-02')!.state).toBe('normal');
    // Each event once in each journal (the second acknowledgement changes no state, so wait for it).
    for (const s of [a, b]) {
      await waitFor(
        () =>
          alarms(s)
            .journal('leak-seg-02')
            .filter((e) => e.kind === 'ack').length >= 2,
        'both acknowledgements',
      );
      const journal = alarms(s).journal('leak-seg-02');
      expect(journal.filter((e) => e.kind === 'ack')).toHaveLength(2);
      expect(journal.filter((e) => e.kind === 'raise')).toHaveLength(1);
    }
  }, 90_000);

  it('a console that joins late catches up from the retained snapshot', async () => {
    const { a, sim, broker } = await withSimulator();
    sim.raiseLeak('seg-03');
    await waitFor(() => alarms(a).get('leak-seg-03')?.state === 'active_unacked', 'the alarm on A');
    alarms(a).acknowledge('leak-seg-03', 'alice');
    alarms(a).shelve('leak-seg-03', 'alice', new Date(Date.now() + 600_000), 'crew on site');
    await waitFor(() => a.station.running().outbox.unsentCount() === 0, 'published');
    // A new console, never online before: everything it knows comes from retained messages.
    const c = testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_STATION_ID: 'ws-c' }, undefined, {
      osAccount: 'carol',
    });
    await c.station.start();
    cleanups.push(() => c.station.stop());
    await waitFor(() => alarms(c).get('leak-seg-03')?.shelvedBy === 'alice', 'the snapshot on C');
    expect(alarms(c).get('leak-seg-03')).toMatchObject({ state: 'active_acked', ackedBy: 'alice' });
  }, 60_000);

  it('a station restarted with unsent events delivers them all after the restart, each once in effect', async () => {
    const { a, b, sim, proxy } = await withSimulator();
    sim.raiseLeak('seg-03');
    for (const s of [a, b])
      await waitFor(() => alarms(s).get('leak-seg-03')?.state === 'active_unacked', 'the alarm on both');

    // B works offline, then its process ends before the link comes back.
    await proxy.cut();
    await waitFor(() => !b.station.running().field.link.online, 'B offline');
    expect(alarms(b).acknowledge('leak-seg-03', 'bob').ok).toBe(true);
    const created = b.station.running().incidents.create('bob', {
      title: 'Leak suspected KP 40',
      severity: 'critical',
      description: '',
      segment: 'seg-03',
      valves: [],
      alarms: ['leak-seg-03'],
    });
    const incidentId = created.ok ? created.value.id : '';
    expect(b.station.running().incidents.note('bob', incidentId, 'pressure still falling').ok).toBe(true);
    const unsent = b.station.running().outbox.unsentCount();
    expect(unsent).toBeGreaterThanOrEqual(4); // three events and their snapshots at least
    await b.station.stop();
    expect(alarms(a).get('leak-seg-03')!.state).toBe('active_unacked');

    // The same data folder, a new process: the outbox is still there and goes out.
    await proxy.heal();
    const b2 = testStation(
      { PLAINVIEW_MQTT_URL: `mqtt://127.0.0.1:${proxy.port}`, PLAINVIEW_STATION_ID: 'ws-b' },
      b.config.dataDir,
      { osAccount: 'bob' },
    );
    await b2.station.start();
    cleanups.push(() => b2.station.stop());
    await waitFor(() => b2.station.running().outbox.unsentCount() === 0, 'outbox drained after restart', 30_000);
    await waitFor(() => alarms(a).get('leak-seg-03')?.ackedBy === 'bob', 'the acknowledgement on A');
    const incidents = a.station.running().incidents;
    await waitFor(() => incidents.timeline(incidentId).length === 2, 'the incident and its note on A');

    // A PUBACK lost in a crash means the same events go out again: nothing changes twice.
    const events = a.station.running().stationEvents;
    const before = events.duplicates;
    const db = b2.station.running().store.db;
    const resent = db.prepare("UPDATE outbox SET sent_at = NULL WHERE topic LIKE '%/events/%'").run().changes;
    b2.station.running().outbox.kick();
    await waitFor(() => events.duplicates - before >= resent, 'the redelivered events seen and ignored', 30_000);
    expect(
      alarms(a)
        .journal('leak-seg-03')
        .filter((e) => e.kind === 'ack'),
    ).toHaveLength(1);
    expect(incidents.timeline(incidentId).map((t) => t.kind)).toEqual(['create', 'note']);
    expect(incidents.get(incidentId)).toMatchObject({ title: 'Leak suspected KP 40', createdBy: 'bob' });
  }, 90_000);
});
