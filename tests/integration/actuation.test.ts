import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../../src/shared/protocol';
import { createLogger } from '../../src/main/log';
import { FieldSimulator } from '../../src/main/sim';
import { startMosquitto, type TestBroker } from '../helpers/brokers';
import { isMarker, markers } from '../helpers/markers';
import { testStation, type TestStation } from '../helpers/station';
import { waitFor } from '../helpers/wait';
import { publishValveState } from '../helpers/site';

const quiet = createLogger({ level: 'error', json: true, sinks: [] });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Counts every valve command the broker carries, by id: no id may ever appear twice. */
async function commandWatcher(broker: TestBroker) {
  const seen = new Map<string, number>();
  const retained: string[] = [];
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  cleanups.push(() => client.endAsync(true));
  client.on('message', (topic, payload, packet) => {
    if (isMarker(topic)) return;
    const id = (JSON.parse(payload.toString()) as { id: string }).id;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    if (packet.retain) retained.push(id);
  });
  await client.subscribeAsync(topics.valveCommand('north', '+', '+'), { qos: 1 });
  const marker = await markers(client);
  return {
    seen,
    /** Resolves once everything the station published before now has reached the watcher. */
    caughtUp: (t: TestStation) =>
      marker.through((topic, body) => t.station.running().field.link.publish(topic, body), 'from the station'),
    assertNoRepeats: () => {
      for (const [id, n] of seen) expect(n, `command ${id} published ${n} times`).toBe(1);
      expect(retained).toEqual([]);
    },
  };
}

interface Setup {
  broker: TestBroker;
  t: TestStation;
  sim: FieldSimulator | null;
  watcher: Awaited<ReturnType<typeof commandWatcher>>;
  clock: { advance(ms: number): void };
}

async function setup(
  opts: { env?: Record<string, string>; sim?: boolean; valves?: number; simNow?: () => Date } = {},
): Promise<Setup> {
  const broker = await startMosquitto();
  const watcher = await commandWatcher(broker);
  let offset = 0;
  const t = testStation(
    {
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_MQTT_PROTOCOL_VERSION: '5',
      PLAINVIEW_VALVE_COOLDOWN_SEC: '0',
      ...opts.env,
    },
    undefined,
    { monotonic: () => performance.now() + offset },
  );
  await t.station.start();
  cleanups.push(() => t.station.stop());
  let sim: FieldSimulator | null = null;
  if (opts.sim !== false) {
    sim = new FieldSimulator({
      brokerUrl: broker.url,
      site: 'north',
      log: quiet,
      demo: false,
      valves: opts.valves ?? 12,
      rate: 20,
      strokeMs: 500,
      now: opts.simNow,
    });
    await sim.start();
    cleanups.push(() => sim!.stop());
    await waitFor(
      () =>
        t.station.running().field.state.valveList().length === (opts.valves ?? 12) &&
        t.station
          .running()
          .field.state.valveList()
          .every((v) => v.quality === 'good'),
      'fresh valves',
    );
  }
  await waitFor(() => t.station.running().field.link.online, 'online');
  return { broker, t, sim, watcher, clock: { advance: (ms) => (offset += ms) } };
}

const act = (t: TestStation) => t.station.running().actuation;
const ctx = { requestId: 'req-test' };
const valve = (t: TestStation, id: string) => t.station.running().field.state.valveView(id)!;
const audit = (t: TestStation, commandId: string) =>
  t.station
    .running()
    .audit.list()
    .filter((e) => e.correlationId === commandId);
const refusedWith = (r: { ok: false; refusal: { code: string } } | { ok: true }) => (r.ok ? 'ok' : r.refusal.code);

/** Selects an action that changes something: close an open valve, open a closed one. */
function selectChange(t: TestStation, id: string) {
  const action = valve(t, id).state === 'closed' ? 'open' : 'close';
  const r = act(t).select({ valveId: id, action }, ctx);
  if (!r.ok) throw new Error(`select refused: ${r.refusal.code} ${r.refusal.message}`);
  return r.value;
}

describe('valve actuation against the simulator over mosquitto', () => {
  it('happy path: select, operate, the valve travels, the command completes, the audit log holds every step', async () => {
    const { t, watcher } = await setup();
    const before = valve(t, 'v-101');
    const sel = selectChange(t, 'v-101');
    expect(sel).toMatchObject({ valveId: 'v-101', state: before.state, quality: 'good', operator: 'alice' });
    expect(sel.summary).toMatch(/v-101/);
    const op = await act(t).operate(sel.id, ctx);
    expect(op.ok).toBe(true);
    await waitFor(() => act(t).commands.get(sel.id)?.state === 'completed', 'completed', 20_000);
    const target = sel.action === 'close' ? 'closed' : 'open';
    await waitFor(() => valve(t, 'v-101').state === target, `the valve ${target}`);

    const history = act(t).commands.history(sel.id)!;
    expect(history.transitions.map((x) => x.state)).toEqual(['selected', 'sent', 'accepted', 'completed']);
    expect(audit(t, sel.id).map((e) => [e.action, e.result])).toEqual([
      ['actuation.select', 'selected'],
      ['actuation.operate', 'sent'],
      ['actuation.accepted', 'accepted'],
      ['actuation.completed', 'completed'],
    ]);
    const sent = audit(t, sel.id)[1]!;
    expect(sent).toMatchObject({ actor: 'alice', stationId: 'ws-1', subject: 'v-101', requestId: 'req-test' });
    watcher.assertNoRepeats();
    expect(watcher.seen.get(sel.id)).toBe(1);
  }, 90_000);

  it('refused by the field (valve in motion): rejected with the field reason', async () => {
    const { t, broker } = await setup();
    const sel = selectChange(t, 'v-102');
    // Another station moves the valve first.
    const other = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    cleanups.push(() => other.endAsync(true));
    const now = new Date();
    await other.publishAsync(
      topics.valveCommand('north', 'gw-1', 'v-102'),
      JSON.stringify({
        v: 2,
        id: crypto.randomUUID(),
        valve: 'v-102',
        action: sel.action,
        position: null,
        issuedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 10_000).toISOString(),
        operator: 'bob',
        station: 'ws-9',
      }),
      { qos: 1 },
    );
    await waitFor(() => ['opening', 'closing'].includes(valve(t, 'v-102').state), 'the valve moving');
    const op = await act(t).operate(sel.id, ctx);
    if (op.ok) {
      await waitFor(() => ['rejected', 'completed'].includes(act(t).commands.get(sel.id)!.state), 'an answer');
      expect(act(t).commands.get(sel.id)).toMatchObject({ state: 'rejected', reason: expect.stringMatching(/motion/) });
    } else {
      expect(op.refusal.code).toBe('no_change');
    }
  }, 90_000);

  it('a stuck valve: accepted, then failed; the valve is then in fault and refused', async () => {
    const { t, sim } = await setup();
    sim!.stickValve('v-103');
    const sel = selectChange(t, 'v-103');
    await act(t).operate(sel.id, ctx);
    await waitFor(() => act(t).commands.get(sel.id)?.state === 'failed', 'failed', 20_000);
    await waitFor(() => valve(t, 'v-103').state === 'fault', 'fault');
    expect(refusedWith(act(t).select({ valveId: 'v-103', action: 'open' }, ctx))).toBe('valve_fault');
  }, 90_000);

  it('expired in the field: a command the field sees too late is refused as expired', async () => {
    // The field's clock runs an hour ahead: every command looks expired to it.
    const { t } = await setup({ simNow: () => new Date(Date.now() + 3_600_000) });
    const sel = selectChange(t, 'v-104');
    await act(t).operate(sel.id, ctx);
    await waitFor(() => act(t).commands.get(sel.id)?.state === 'expired', 'expired');
  }, 90_000);

  it('no acknowledgement: timed out when the command expires, and never sent again', async () => {
    const { t, broker, watcher } = await setup({ sim: false, env: { PLAINVIEW_COMMAND_EXPIRY_SEC: '2' } });
    // A gateway that reports state but never answers commands.
    const gw = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    cleanups.push(() => gw.endAsync(true));
    await publishValveState(gw, 'v-201', 'Silent');
    await waitFor(() => valve(t, 'v-201')?.quality === 'good', 'the silent valve');
    const sel = selectChange(t, 'v-201');
    expect((await act(t).operate(sel.id, ctx)).ok).toBe(true);
    await waitFor(() => act(t).commands.get(sel.id)?.state === 'timed_out', 'timed out', 20_000);
    // The valve is free again: a new command may be selected.
    expect(refusedWith(act(t).select({ valveId: 'v-201', action: 'close' }, ctx))).toBe('ok');
    await watcher.caughtUp(t);
    watcher.assertNoRepeats();
    expect(watcher.seen.get(sel.id)).toBe(1);
  }, 90_000);

  it("a time-out the database could not record, then the field's late answer: both recorded, in order", async () => {
    const { t, broker } = await setup({ sim: false, env: { PLAINVIEW_COMMAND_EXPIRY_SEC: '2' } });
    const gw = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    cleanups.push(() => gw.endAsync(true));
    await publishValveState(gw, 'v-202', 'Slow');
    await waitFor(() => valve(t, 'v-202')?.quality === 'good', 'the slow valve');
    const shown = new Map<string, string>();
    t.station.running().push.subscribe((b) => b.commands?.forEach((c) => shown.set(c.id, c.state)));
    const sel = selectChange(t, 'v-202');
    expect((await act(t).operate(sel.id, ctx)).ok).toBe(true);
    // The disk fills up: the time-out is in force (shown) but cannot be recorded.
    const db = t.station.running().store.db;
    db.pragma('query_only = ON');
    cleanups.push(async () => void (db.open && db.pragma('query_only = OFF')));
    await waitFor(() => shown.get(sel.id) === 'timed_out', 'the time-out shown', 20_000);
    const ack = { v: 2, commandId: sel.id, status: 'completed', reason: null, ts: new Date().toISOString() };
    await gw.publishAsync(topics.valveAck('north', 'gw-x', 'v-202'), JSON.stringify(ack), { qos: 1 });
    await waitFor(() => shown.get(sel.id) === 'completed', 'the late answer shown');
    expect(act(t).commands.get(sel.id)!.state).toBe('sent');
    db.pragma('query_only = OFF');
    await waitFor(() => act(t).commands.get(sel.id)?.state === 'completed', 'recorded', 20_000);
    const outcomes = t.station
      .running()
      .audit.list()
      .filter((e) => e.correlationId === sel.id && /timed_out|completed/.test(e.action))
      .sort((a, b) => a.id - b.id)
      .map((e) => [e.action, (e.detail as { reason?: string }).reason]);
    expect(outcomes).toEqual([
      ['actuation.timed_out', expect.any(String)],
      ['actuation.completed', 'late: completed'],
    ]);
  }, 90_000);

  it('selection expired, or not this operator: refused at operate', async () => {
    const { t, clock } = await setup();
    const sel = selectChange(t, 'v-105');
    clock.advance(31_000);
    const op = await act(t).operate(sel.id, ctx);
    expect(op).toMatchObject({ ok: false, refusal: { code: 'selection_expired' } });
    expect(act(t).commands.get(sel.id)?.state).toBe('expired');
    expect((await act(t).operate('00000000-0000-4000-8000-000000000000', ctx)).ok).toBe(false);
  }, 90_000);

  it('link offline at select, and between select and operate: refused, nothing sent', async () => {
    const { t, broker, watcher } = await setup();
    const sel = selectChange(t, 'v-106');
    await broker.kill();
    await waitFor(() => !t.station.running().field.link.online, 'offline');
    expect(await act(t).operate(sel.id, ctx)).toMatchObject({ ok: false, refusal: { code: 'link_offline' } });
    expect(refusedWith(act(t).select({ valveId: 'v-107', action: 'close' }, ctx))).toBe('link_offline');
    expect(watcher.seen.has(sel.id)).toBe(false);
  }, 90_000);

  it('stale valve (its gateway offline): refused', async () => {
    const { t, sim } = await setup();
    const gw = t.station.running().field.state.valves.get('v-108')!.msg.gateway;
    sim!.dropGateway(gw);
    await waitFor(() => valve(t, 'v-108').quality === 'stale', 'stale');
    const r = act(t).select({ valveId: 'v-108', action: 'close' }, ctx);
    expect(r).toMatchObject({ ok: false, refusal: { code: 'valve_stale' } });
    expect(
      t.station
        .running()
        .audit.list()
        .some((e) => e.subject === 'v-108' && e.result === 'refused:valve_stale'),
    ).toBe(true);
  }, 90_000);

  it('local control and no-change: refused with their reasons', async () => {
    const { t, sim } = await setup();
    sim!.setLocalControl('v-109', true);
    await waitFor(() => valve(t, 'v-109').localControl, 'local control seen');
    expect(refusedWith(act(t).select({ valveId: 'v-109', action: 'close' }, ctx))).toBe('local_control');
    const v = valve(t, 'v-110');
    const same = v.state === 'closed' ? 'close' : v.state === 'open' && v.position === 100 ? 'open' : null;
    if (same) expect(refusedWith(act(t).select({ valveId: 'v-110', action: same }, ctx))).toBe('no_change');
  }, 90_000);

  it('a second command while one is in flight is refused', async () => {
    const { t } = await setup();
    const sel = selectChange(t, 'v-111');
    await act(t).operate(sel.id, ctx);
    expect(refusedWith(act(t).select({ valveId: 'v-111', action: 'open' }, ctx))).toBe('command_in_flight');
  }, 90_000);

  it('a viewer cannot select', async () => {
    const { t } = await setup({ env: { PLAINVIEW_OS_ACCOUNT_ROLE: 'viewer' } });
    expect(refusedWith(act(t).select({ valveId: 'v-101', action: 'close' }, ctx))).toBe('role');
  }, 90_000);

  it('the 11th actuation within a minute is refused with its retry time, and audited', async () => {
    const { t } = await setup({ valves: 12 });
    let first = 0;
    for (let i = 0; i < 10; i++) {
      const sel = selectChange(t, `v-${101 + i}`);
      if (i === 0) first = performance.now();
      expect((await act(t).operate(sel.id, ctx)).ok, `command ${i + 1}`).toBe(true);
    }
    const r = act(t).select({ valveId: 'v-111', action: valve(t, 'v-111').state === 'closed' ? 'open' : 'close' }, ctx);
    const asked = performance.now();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.refusal.code).toBe('throttled');
    // At most 10 in any 60 s: a retry succeeds once the first command leaves the window.
    expect(r.refusal.retryAfterSec! * 1000).toBeGreaterThanOrEqual(60_000 - (asked - first));
    expect(r.refusal.retryAfterSec! * 1000).toBeLessThanOrEqual(60_000);
    expect(r.refusal.message).toMatch(/Retry in \d+ s/);
    expect(
      t.station
        .running()
        .audit.list()
        .some((e) => e.result === 'refused:throttled' && e.subject === 'v-111'),
    ).toBe(true);
  }, 60_000);

  it('audit write failure (database read-only): the command is refused and nothing is sent', async () => {
    const { t, watcher } = await setup();
    const sel = selectChange(t, 'v-112');
    const db = t.station.running().store.db;
    db.pragma('query_only = ON');
    try {
      const op = await act(t).operate(sel.id, ctx);
      expect(op).toMatchObject({ ok: false, refusal: { code: 'audit_unavailable' } });
      if (!op.ok) expect(op.refusal.message).toMatch(/Nothing was sent/);
    } finally {
      db.pragma('query_only = OFF');
    }
    await watcher.caughtUp(t);
    expect(watcher.seen.has(sel.id)).toBe(false);
  }, 90_000);

  it('audit row refused after the command was marked sent: the step is rolled back, nothing is sent', async () => {
    const { t, watcher } = await setup();
    const sel = selectChange(t, 'v-110');
    const db = t.station.running().store.db;
    // Only the audit insert fails (as a full disk can fail any one write): the command's own
    // step to `sent`, written before it in the same transaction, must not survive it.
    db.exec(
      "CREATE TEMP TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit refused'); END",
    );
    try {
      const op = await act(t).operate(sel.id, ctx);
      expect(op).toMatchObject({ ok: false, refusal: { code: 'audit_unavailable' } });
    } finally {
      db.exec('DROP TRIGGER temp.refuse_audit');
    }
    expect(act(t).commands.get(sel.id)?.state).toBe('selected');
    expect(
      act(t)
        .commands.history(sel.id)
        ?.transitions.map((s) => s.state),
    ).toEqual(['selected']);
    await watcher.caughtUp(t);
    expect(watcher.seen.has(sel.id)).toBe(false);
    // The valve is not left blocked: the same selection still operates once the audit log works.
    expect((await act(t).operate(sel.id, ctx)).ok).toBe(true);
    await waitFor(() => watcher.seen.get(sel.id) === 1, 'the command, once');
    expect(audit(t, sel.id).map((e) => e.result)).toEqual(['selected', 'sent']);
  }, 90_000);

  it('only the actuation service may publish on a command topic', async () => {
    const { t } = await setup({ sim: false });
    const link = t.station.running().field.link;
    await expect(link.publish(topics.valveCommand('north', 'gw-1', 'v-101'), '{}')).rejects.toThrow(
      /only through the actuation service/,
    );
  }, 90_000);
});

void ({} as MqttClient);
