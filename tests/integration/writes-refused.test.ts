/*
 * A full disk, as the station's rooms meet it: real SQLite made to refuse every write of the
 * station's connection (`PRAGMA query_only`, as tests/unit/outbox.test.ts), while the timers
 * and MQTT messages that write keep coming. Nothing may throw out of a timer (that ends the
 * process, and vitest fails the run on it); what operators must see they see, from memory;
 * safety holds (a shelf or a selection that ran out is over); and everything is recorded once
 * the database takes writes again.
 */
import type { Database } from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { migrations } from '../../migrations';
import { ApiKeys } from '../../src/main/api/keys';
import { AuditLog } from '../../src/main/audit/audit-log';
import { Auditor } from '../../src/main/audit/auditor';
import { AuditHeadPublisher, HEAD_EVERY_MS } from '../../src/main/audit/head';
import { BirthRepublisher, type BirthFacts } from '../../src/main/fleet/birth';
import { AlarmDefinitions } from '../../src/main/limits/definitions';
import { SqlDefinitionStore } from '../../src/main/limits/store';
import { createLogger, memorySink } from '../../src/main/log';
import { openStore } from '../../src/main/store';
import { Outbox } from '../../src/main/sync/outbox';
import type { AlarmDefinitionInput, DefinitionSet } from '../../src/shared/limits';
import { topics } from '../../src/shared/protocol';
import type { ActuationCommand } from '../../src/shared/actuation';
import { startAedes } from '../helpers/brokers';
import { simulatedSite } from '../helpers/site';
import { ask, read, testStation, type TestStation } from '../helpers/station';
import { alarmSweeps } from '../helpers/sweeps';
import { tempDir } from '../helpers/tmp';
import { twoStations } from '../helpers/two-stations';
import { waitFor } from '../helpers/wait';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** The disk fills up: every write of this connection fails, as SQLite's own refusal. */
function diskFull(db: Database): { free: () => void } {
  db.pragma('query_only = ON');
  const free = () => void (db.open && db.pragma('query_only = OFF'));
  cleanups.push(async () => free());
  return { free };
}

const running = (t: TestStation) => t.station.running();
const journal = (t: TestStation, id: string) =>
  (read(t, 'alarms.journal', { id }) as { kind: string }[]).map((e) => e.kind);
const audited = (t: TestStation, action: string, subject?: string) =>
  running(t)
    .audit.list()
    .filter((e) => e.action === action && (subject === undefined || e.subject === subject));

describe('alarms', () => {
  it('a field alert raised while the disk is full is shown at once, and journalled once it takes writes', async () => {
    const { t, sim } = await simulatedSite(cleanups);
    await waitFor(() => running(t).field.link.online, 'online');
    const disk = diskFull(running(t).store.db);

    sim.raiseLeak('seg-02');
    await waitFor(() => running(t).alarms.get('leak-seg-02')?.state === 'active_unacked', 'the alarm shown');
    expect((read(t, 'alarms.list') as { id: string }[]).map((a) => a.id)).toContain('leak-seg-02');
    expect(journal(t, 'leak-seg-02')).toEqual([]);

    disk.free();
    await waitFor(() => journal(t, 'leak-seg-02').includes('raise'), 'the raise journalled');
    expect(running(t).alarms.get('leak-seg-02')!.state).toBe('active_unacked');
  }, 90_000);

  it('a shelf that runs out while the disk is full ends at once (fail closed); journalled and audited once later', async () => {
    let ahead = 0; // the station's clock, moved on instead of waiting a minute
    const { t, sim } = await simulatedSite(cleanups, { deps: { now: () => new Date(Date.now() + ahead) } });
    const pushed: string[] = [];
    running(t).push.subscribe((batch) =>
      batch.alarms?.forEach((a) => pushed.push(`${a.id}:${a.shelvedUntil ?? 'unshelved'}`)),
    );
    sim.raiseLeak('seg-01');
    await waitFor(() => running(t).alarms.get('leak-seg-01'), 'the alarm');
    expect(ask(t, 'alarms.shelve', { id: 'leak-seg-01', minutes: 1, reason: 'crew on site' })).toMatchObject({
      ok: true,
    });
    const disk = diskFull(running(t).store.db);

    ahead = 61_000;
    await waitFor(() => running(t).alarms.get('leak-seg-01')?.shelvedUntil === null, 'back from the shelf');
    expect(running(t).alarms.get('leak-seg-01')!.state).toBe('active_unacked');
    expect(read(t, 'alarms.metrics')).toMatchObject({ shelved: [] });
    await waitFor(() => pushed.includes('leak-seg-01:unshelved'), 'the console told');
    expect(journal(t, 'leak-seg-01').at(-1)).toBe('shelve');
    expect(audited(t, 'alarm.shelf_expired')).toEqual([]);

    const sweeps = alarmSweeps(t.station);
    disk.free();
    await waitFor(() => journal(t, 'leak-seg-01').at(-1) === 'unshelve', 'the expiry journalled');
    await sweeps.more(2, 'two more sweeps: nothing more happens');
    expect(audited(t, 'alarm.shelf_expired', 'leak-seg-01')).toHaveLength(1);
    expect(running(t).alarms.get('leak-seg-01')!.shelvedUntil).toBeNull();
  }, 90_000);
});

describe('limit alarms', () => {
  it("a point going stale while the disk is full raises its quality alarm (the sweep's timer does not crash)", async () => {
    const broker = await startAedes();
    cleanups.push(() => broker.dispose());
    const t = testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_PROTOCOL_VERSION: '4' });
    await t.station.start();
    cleanups.push(() => t.station.stop());
    await waitFor(() => running(t).field.link.online, 'online');
    const point = 'p-seg-1-flow';
    const why = { cause: 'Flow lost', consequence: 'Deliveries stop', action: 'Check the meter', responseMin: 10 };
    const supervisor = { username: 'sam', displayName: 'Sam', role: 'supervisor' as const, via: 'sign_on' as const };
    expect(
      running(t).definitions.change(
        supervisor,
        [{ point, condition: 'quality', priority: 'low', rationalization: why }],
        'test',
      ),
    ).toMatchObject({ ok: true });
    const disk = diskFull(running(t).store.db);

    const gateway = await mqtt.connectAsync(broker.url, { clientId: 'gw-1-test' });
    cleanups.push(() => gateway.endAsync());
    const meta = { v: 2, gateway: 'gw-1', kind: 'flow', unit: 'm3/h', segment: 'seg-1', staleAfterMs: 1500 };
    await gateway.publishAsync(topics.pointMeta('north', 'gw-1', point), JSON.stringify(meta), { qos: 1 });
    const sample = { v: 2, ts: new Date().toISOString(), value: 42, quality: 'good' };
    await gateway.publishAsync(topics.telemetry('north', 'gw-1', point), JSON.stringify(sample), { qos: 1 });

    const stale = () =>
      running(t)
        .alarms.list()
        .find((a) => a.limit?.point === point && a.limit.condition === 'quality');
    await waitFor(() => stale()?.state === 'active_unacked', 'the quality alarm shown', 20_000);
    expect(journal(t, stale()!.id)).toEqual([]);

    disk.free();
    await waitFor(() => journal(t, stale()!.id).includes('raise'), 'the raise journalled');
  }, 90_000);
});

describe('actuation', () => {
  it('a selection that expires while the disk is full cannot be operated; its expiry is recorded once it takes writes', async () => {
    let ahead = 0;
    const { t } = await simulatedSite(cleanups, {
      env: { PLAINVIEW_SELECTION_TIMEOUT_SEC: '5' },
      deps: { monotonic: () => performance.now() + ahead },
    });
    const commands = new Map<string, ActuationCommand>();
    running(t).push.subscribe((batch) => batch.commands?.forEach((c) => commands.set(c.id, c)));
    await waitFor(() => running(t).field.state.valveView('v-101')?.quality === 'good', 'a fresh valve');
    const act = running(t).actuation;
    const action = running(t).field.state.valveView('v-101')!.state === 'closed' ? 'open' : 'close';
    const selected = act.select({ valveId: 'v-101', action }, { requestId: 'req-full' });
    if (!selected.ok) throw new Error(`select refused: ${selected.refusal.code}`);
    const id = selected.value.id;
    const disk = diskFull(running(t).store.db);

    ahead = 6_000;
    await waitFor(() => commands.get(id)?.state === 'expired', 'the console told it expired');
    expect(act.commands.get(id)!.state).toBe('selected'); // not recorded yet
    const op = await act.operate(id, { requestId: 'req-full' });
    expect(op.ok).toBe(false);

    disk.free();
    await waitFor(() => act.commands.get(id)?.state === 'expired', 'the expiry recorded');
    expect(audited(t, 'actuation.expired', 'v-101').map((e) => e.correlationId)).toEqual([id]);
    expect(await act.operate(id, { requestId: 'req-after' })).toMatchObject({
      ok: false,
      refusal: { code: 'selection_expired' },
    });
  }, 90_000);
});

describe('sync between stations', () => {
  it("another station's acknowledgement that arrives while the disk is full is applied once it takes writes", async () => {
    const { a, b, sim } = await twoStations(cleanups, { field: true });
    sim!.raiseLeak('seg-01');
    for (const s of [a, b])
      await waitFor(() => running(s).alarms.get('leak-seg-01')?.state === 'active_unacked', 'the alarm on both');
    const disk = diskFull(running(a).store.db);

    expect(read(b, 'alarms.acknowledge', { ids: ['leak-seg-01'] })).toMatchObject([{ ok: true }]);
    await waitFor(() => a.lines.some((l) => l.includes('messages from other stations are held')), 'held on A');
    expect(running(a).alarms.get('leak-seg-01')!.state).toBe('active_unacked');

    disk.free();
    await waitFor(() => running(a).alarms.get('leak-seg-01')?.state === 'active_acked', 'applied on A');
    expect(
      running(a)
        .alarms.history('leak-seg-01')
        .filter((e) => e.kind === 'ack'),
    ).toHaveLength(1);
  }, 90_000);
});

describe('rooms on their own', () => {
  const quietLog = () => {
    const sink = memorySink();
    return { sink, log: createLogger({ level: 'warn', json: true, sinks: [sink] }) };
  };
  const open = async () => {
    const { store } = await openStore({ dataDir: tempDir(), migrations, log: quietLog().log, mode: 'station' });
    cleanups.push(() => store.close());
    return store;
  };

  it('an API key still opens the API while the disk is full (its last use is recorded later)', async () => {
    const store = await open();
    let now = Date.parse('2026-12-04T10:00:00Z');
    const keys = new ApiKeys(store.sql, () => new Date(now));
    const { key } = keys.create('historian', 'read');
    const disk = diskFull(store.db);
    expect(keys.verify(key)).toMatchObject({ ok: true, key: { name: 'historian' } });
    expect(keys.list()[0]!.lastUsedAt).toBeNull();
    disk.free();
    now += 1000;
    expect(keys.verify(key).ok).toBe(true);
    expect(keys.list()[0]!.lastUsedAt).toBe('2026-12-04T10:00:01.000Z');
  });

  it('the audit head: a minute when the disk is full queues nothing and throws nothing; the next one publishes the grown head', async () => {
    const store = await open();
    const { sink, log } = quietLog();
    const sent: { seq: number }[] = [];
    const outbox = new Outbox(
      store.db,
      { online: () => true, publish: (_topic, payload) => (sent.push(JSON.parse(payload)), Promise.resolve()) },
      log,
      () => new Date(),
    );
    const audit = new AuditLog(store.sql, () => new Date());
    const auditor = new Auditor(audit, 'ws-1', log);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const heads = new AuditHeadPublisher({
      audit,
      outbox,
      siteId: 'north',
      stationId: 'ws-1',
      now: () => new Date(),
      log,
    });
    heads.start();
    cleanups.push(async () => heads.stop());
    await waitFor(() => sent.length === 1 && outbox.unsentCount() === 0, 'the head at start published');

    auditor.record({ actor: 'alice', action: 'test.grown', result: 'ok' });
    const disk = diskFull(store.db);
    expect(() => vi.advanceTimersByTime(HEAD_EVERY_MS)).not.toThrow();
    expect(sink.lines.some((l) => l.includes('queueing the audit head'))).toBe(true);

    disk.free();
    vi.advanceTimersByTime(HEAD_EVERY_MS);
    await waitFor(() => sent.at(-1)?.seq === audit.head().seq && sent.length === 2, 'the grown head published');
  });

  it('alarm definitions imported while the audit log refuses are not half in force; in force once it takes writes', async () => {
    const store = await open();
    const { log } = quietLog();
    const outbox = new Outbox(
      store.db,
      { online: () => false, publish: () => Promise.resolve() },
      log,
      () => new Date(),
    );
    const auditor = new Auditor(new AuditLog(store.sql, () => new Date()), 'ws-1', log);
    const applied: number[] = [];
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const definitions = new AlarmDefinitions({
      sql: store.sql,
      siteId: 'north',
      stationId: 'ws-1',
      outbox,
      auditor,
      log,
      now: () => new Date(),
      onChange: (set) => applied.push(set.version),
    });
    const why = { cause: 'c', consequence: 'q', action: 'a', responseMin: 10 };
    const first: AlarmDefinitionInput = { point: 'p-1', condition: 'quality', priority: 'low', rationalization: why };
    expect(definitions.seed([first], 'seed')).toMatchObject({ ok: true });
    definitions.start();
    cleanups.push(async () => definitions.stop());
    // What `plainview alarms import` writes while the station runs.
    const imported: DefinitionSet = {
      ...definitions.current(),
      version: 2,
      changedAt: new Date().toISOString(),
      changedBy: 'sam',
      reason: 'imported',
      definitions: [...definitions.current().definitions, { ...definitions.current().definitions[0]!, point: 'p-2' }],
    };
    new SqlDefinitionStore(store.sql).put(imported, []);
    const disk = diskFull(store.db);

    expect(() => vi.advanceTimersByTime(5_000)).not.toThrow();
    expect(definitions.current().version).toBe(1);
    expect(applied).toEqual([1]);

    disk.free();
    vi.advanceTimersByTime(5_000);
    expect(definitions.current().version).toBe(2);
    expect(applied).toEqual([1, 2]);
  });

  it('the presence birth: facts the database cannot give now are looked at next time, never a rejection', async () => {
    const store = await open();
    const { sink, log } = quietLog();
    const facts = (): BirthFacts => ({
      version: '1.0.0',
      schemaVersion: store.schemaVersion,
      channel: 'stable',
      demo: false,
      health: null,
      lastBackupAt: null,
    });
    const birth = new BirthRepublisher({ facts, republish: () => Promise.resolve(), log, monotonic: () => 0 });
    birth.published({ ...facts(), version: '0.9.0' });
    store.db.close();
    await expect(birth.check()).resolves.toBeUndefined();
    expect(sink.lines.some((l) => l.includes('the facts of the presence birth could not be read'))).toBe(true);
  });
});
