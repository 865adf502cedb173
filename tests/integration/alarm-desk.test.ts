import { afterEach, describe, expect, it } from 'vitest';
import { simulatedSite } from '../helpers/site';
import { ask, read, testStation } from '../helpers/station';
import { alarmSweeps } from '../helpers/sweeps';
import { waitFor } from '../helpers/wait';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const site = (env: Record<string, string> = {}, deps: Parameters<typeof testStation>[2] = {}) =>
  simulatedSite(cleanups, { env, deps, valves: 24 });

describe('working alarms through the IPC contract', () => {
  it('acknowledge, shelve within the operator limit, supervisor-only beyond it, resolve once cleared', async () => {
    const { t, sim } = await site();
    sim.raiseLeak('seg-02');
    await waitFor(() => (read(t, 'alarms.list') as { id: string }[]).some((a) => a.id === 'leak-seg-02'), 'the alarm');
    expect(read(t, 'alarms.acknowledge', { ids: ['leak-seg-02'] })).toMatchObject([
      { ok: true, value: { state: 'active_acked', ackedBy: 'alice' } },
    ]);
    expect(read(t, 'alarms.acknowledge', { ids: ['leak-seg-02'] })).toMatchObject([
      { ok: false, refusal: { message: expect.stringMatching(/nothing to acknowledge/) } },
    ]);
    // Operators may shelve up to 60 minutes; longer needs a supervisor.
    expect(ask(t, 'alarms.shelve', { id: 'leak-seg-02', minutes: 120, reason: 'crew on site' })).toMatchObject({
      ok: false,
      refusal: { message: expect.stringMatching(/needs a supervisor/) },
    });
    expect(ask(t, 'alarms.shelve', { id: 'leak-seg-02', minutes: 30, reason: 'crew on site' })).toMatchObject({
      ok: true,
      value: { shelvedBy: 'alice' },
    });
    expect(ask(t, 'alarms.resolve', { id: 'leak-seg-02', note: 'fixed' })).toMatchObject({
      ok: false,
      refusal: { message: expect.stringMatching(/still active/) },
    });
    sim.clearLeak('seg-02');
    await waitFor(() => t.station.running().alarms.get('leak-seg-02')?.state === 'normal', 'cleared');
    expect(ask(t, 'alarms.resolve', { id: 'leak-seg-02', note: 'sensor replaced' })).toMatchObject({
      ok: true,
      value: { resolvedAt: expect.any(String) },
    });
    const journal = read(t, 'alarms.journal', { id: 'leak-seg-02' }) as {
      kind: string;
      actor: string;
      note: string | null;
    }[];
    expect(journal.map((j) => j.kind)).toEqual(['raise', 'ack', 'shelve', 'clear', 'resolve']);
    expect(journal.find((j) => j.kind === 'shelve')).toMatchObject({ actor: 'alice', note: 'crew on site' });
    const audit = t.station
      .running()
      .audit.list()
      .map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['alarm.ack', 'alarm.shelve', 'alarm.resolve']));
  }, 90_000);

  it('acknowledge-all never acknowledges a critical alarm in bulk; on its own it is acknowledged', async () => {
    const { t, sim } = await site();
    sim.raiseLeak('seg-01');
    sim.raiseLeak('seg-02');
    sim.stickValve('v-103');
    const v = await waitFor(() => t.station.running().field.state.valveView('v-103'), 'v-103');
    const sel = t.station
      .running()
      .actuation.select({ valveId: 'v-103', action: v.state === 'closed' ? 'open' : 'close' }, { requestId: null });
    if (sel.ok) await t.station.running().actuation.operate(sel.value.id, { requestId: null });
    await waitFor(() => t.station.running().alarms.get('valve-fault-v-103')?.state === 'active_unacked', 'the fault');
    await waitFor(() => t.station.running().alarms.get('leak-seg-02'), 'the leaks');
    const bulk = read(t, 'alarms.acknowledge', { ids: ['leak-seg-01', 'valve-fault-v-103', 'leak-seg-02'] });
    expect(bulk).toMatchObject([
      { ok: false, refusal: { code: 'conflict', message: expect.stringMatching(/critical/) } },
      { ok: true, value: { id: 'valve-fault-v-103', state: 'active_acked' } },
      { ok: false, refusal: { code: 'conflict' } },
    ]);
    expect(t.station.running().alarms.get('leak-seg-01')?.state).toBe('active_unacked');
    expect(read(t, 'alarms.acknowledge', { ids: ['leak-seg-01'] })).toMatchObject([
      { ok: true, value: { state: 'active_acked' } },
    ]);
  }, 90_000);

  it('a supervisor may shelve for longer; a viewer may not touch alarms', async () => {
    const sup = await site({ PLAINVIEW_OS_ACCOUNT_ROLE: 'supervisor' });
    sup.sim.raiseLeak('seg-01');
    await waitFor(() => sup.t.station.running().alarms.get('leak-seg-01'), 'the alarm');
    expect(ask(sup.t, 'alarms.shelve', { id: 'leak-seg-01', minutes: 600, reason: 'pump swap' })).toMatchObject({
      ok: true,
    });

    const viewer = await site({ PLAINVIEW_OS_ACCOUNT_ROLE: 'viewer' });
    viewer.sim.raiseLeak('seg-01');
    await waitFor(() => viewer.t.station.running().alarms.get('leak-seg-01'), 'the alarm');
    expect(read(viewer.t, 'alarms.acknowledge', { ids: ['leak-seg-01'] })).toMatchObject([
      { ok: false, refusal: { message: expect.stringMatching(/viewer/) } },
    ]);
  }, 90_000);

  it('a shelf that runs out returns the alarm by itself: journalled, audited once, pushed to the console', async () => {
    let ahead = 0; // the station's clock, moved on instead of waiting a minute
    const { t, sim } = await site({}, { now: () => new Date(Date.now() + ahead) });
    const pushed: string[] = [];
    t.station
      .running()
      .push.subscribe((batch) => batch.alarms?.forEach((a) => pushed.push(`${a.id}:${a.shelvedUntil ?? 'unshelved'}`)));
    const sweeps = alarmSweeps(t.station);
    sim.raiseLeak('seg-03');
    await waitFor(() => t.station.running().alarms.get('leak-seg-03'), 'the alarm');
    expect(ask(t, 'alarms.shelve', { id: 'leak-seg-03', minutes: 1, reason: 'crew on site' })).toMatchObject({
      ok: true,
    });
    expect(read(t, 'alarms.metrics')).toMatchObject({ shelved: ['leak-seg-03'] });

    ahead = 61_000;
    await waitFor(() => t.station.running().alarms.get('leak-seg-03')?.shelvedUntil === null, 'back from the shelf');
    expect(t.station.running().alarms.get('leak-seg-03')!.state).toBe('active_unacked');
    expect((read(t, 'alarms.journal', { id: 'leak-seg-03' }) as { kind: string }[]).at(-1)).toMatchObject({
      kind: 'unshelve',
      actor: 'system',
      note: 'shelf expired',
    });
    expect(read(t, 'alarms.metrics')).toMatchObject({ shelved: [] });
    await waitFor(() => pushed.includes('leak-seg-03:unshelved'), 'the console told');
    await sweeps.more(2, 'two more sweeps: nothing more happens');
    const expiries = t.station
      .running()
      .audit.list()
      .filter((e) => e.action === 'alarm.shelf_expired');
    expect(expiries).toHaveLength(1);
    expect(expiries[0]).toMatchObject({ actor: 'system', subject: 'leak-seg-03' });
  }, 90_000);

  it('the 21st alarm change in a minute is throttled with its retry time', async () => {
    const { t, sim } = await site();
    sim.raiseLeak('seg-01');
    await waitFor(() => t.station.running().alarms.get('leak-seg-01'), 'the alarm');
    const results = Array.from({ length: 21 }, (_, i) =>
      ask(t, 'alarms.shelve', { id: 'leak-seg-01', minutes: 5 + i, reason: `r${i}` }),
    );
    expect(results.slice(0, 20).every((r) => r.ok)).toBe(true);
    expect(results[20]).toMatchObject({ ok: false, refusal: { retryAfterSec: expect.any(Number) } });
  }, 90_000);

  it('flood indication above 10 alarms in 10 minutes', async () => {
    const { t } = await site();
    const alarms = t.station.running().alarms;
    const now = Date.now();
    for (let i = 0; i < 11; i++) {
      alarms.onFieldAlert({
        v: 1,
        id: `a-${i}`,
        status: 'raised',
        severity: 'high',
        segment: null,
        message: `alarm ${i}`,
        ts: new Date(now - i * 1000).toISOString(),
      });
    }
    expect(read(t, 'alarms.metrics')).toMatchObject({ lastTenMinutes: 11, flood: true });
  }, 90_000);

  it("the station's own conditions: a gateway offline and a valve in fault raise alarms, and clear", async () => {
    const { t, sim } = await site();
    await waitFor(
      () => t.station.running().field.state.valves.size === 24 && t.station.running().field.link.online,
      'the site',
    );
    const gw = t.station.running().field.state.valves.get('v-101')!.msg.gateway;
    const dropped = new Date().toISOString();
    sim.dropGateway(gw);
    await waitFor(
      () => t.station.running().alarms.get(`gateway-offline-${gw}`)?.state === 'active_unacked',
      'gateway alarm',
    );
    // The time the station learnt it, not the time in the gateway's will (when it connected).
    expect(t.station.running().alarms.get(`gateway-offline-${gw}`)!.raisedAt >= dropped).toBe(true);
    await sim.restoreGateway(gw);
    await waitFor(
      () => t.station.running().alarms.get(`gateway-offline-${gw}`)?.state === 'cleared_unacked',
      'gateway alarm cleared',
    );

    sim.stickValve('v-102');
    const v = t.station.running().field.state.valveView('v-102')!;
    const sel = t.station
      .running()
      .actuation.select({ valveId: 'v-102', action: v.state === 'closed' ? 'open' : 'close' }, { requestId: null });
    expect(sel.ok).toBe(true);
    if (sel.ok) await t.station.running().actuation.operate(sel.value.id, { requestId: null });
    await waitFor(
      () => t.station.running().alarms.get('valve-fault-v-102')?.state === 'active_unacked',
      'fault alarm',
      20_000,
    );
    expect(t.station.running().alarms.get('valve-fault-v-102')).toMatchObject({
      priority: 'high',
      source: 'station:valve',
    });
  }, 90_000);

  it("this station's link down is a local alarm: raised, worked here without being shared, cleared when back", async () => {
    const { t, broker } = await site();
    await waitFor(() => t.station.running().field.link.online, 'online');
    await broker.kill();
    await waitFor(() => t.station.running().alarms.get('link-down-ws-1')?.state === 'active_unacked', 'the link alarm');
    const before = (t.station.running().store.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
    expect(read(t, 'alarms.acknowledge', { ids: ['link-down-ws-1'] })).toMatchObject([
      { ok: true, value: { state: 'active_acked' } },
    ]);
    // Nothing queued for the other consoles: their links may be fine.
    expect((t.station.running().store.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n).toBe(
      before,
    );
    await broker.restart();
    await waitFor(() => t.station.running().alarms.get('link-down-ws-1')?.state === 'normal', 'cleared', 30_000);
  }, 60_000);
});
