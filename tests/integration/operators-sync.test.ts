import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/main/operators/passwords';
import { topics } from '../../src/shared/protocol';
import { startMosquitto, type TestBroker } from '../helpers/brokers';
import { cleanEnv, runCli } from '../helpers/cli';
import { startProxy, type TcpProxy } from '../helpers/proxy';
import { ask, read, testStation, type TestStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const WAIT = 30_000;
const OLGA_PIN = 'olga-pin-4Kq9';
const SAM_PIN = 'sam-pin-Zr77';
const running = (t: TestStation) => t.station.running();

/** Everything published under the site, as the broker hands it out. */
async function wire(broker: TestBroker): Promise<{ client: MqttClient; payloads: Map<string, string> }> {
  const client = await mqtt.connectAsync(broker.url, { clientId: 'wire-tap', reconnectPeriod: 0 });
  cleanups.push(() => client.endAsync(true));
  const payloads = new Map<string, string>();
  client.on('message', (topic, payload) => payloads.set(`${topic} ${payloads.size}`, payload.toString()));
  await client.subscribeAsync('plainview/#', { qos: 1 });
  return { client, payloads };
}

async function start(t: TestStation): Promise<TestStation> {
  await t.station.start();
  cleanups.push(() => t.station.stop());
  await waitFor(() => running(t).field.link.online, `${t.config.stationId} online`, WAIT);
  return t;
}

/**
 * Station A: sign-on off, its OS account (alice) a supervisor. Station B: operators sign on,
 * reaching the broker through a proxy that can cut it off.
 */
async function site(): Promise<{ broker: TestBroker; proxy: TcpProxy; a: TestStation; b: TestStation }> {
  const broker = await startMosquitto();
  const proxy = await startProxy(broker.port);
  cleanups.push(() => proxy.close());
  const a = await start(
    testStation({
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_STATION_ID: 'ws-a',
      PLAINVIEW_OS_ACCOUNT_ROLE: 'supervisor',
    }),
  );
  const b = await start(
    testStation({
      PLAINVIEW_MQTT_URL: `mqtt://127.0.0.1:${proxy.port}`,
      PLAINVIEW_STATION_ID: 'ws-b',
      PLAINVIEW_OPERATOR_SIGN_ON: 'true',
    }),
  );
  return { broker, proxy, a, b };
}

const account = (t: TestStation, name: string) => running(t).operators.directory.get(name);
const auditOf = (t: TestStation, name: string) =>
  running(t)
    .audit.list({ limit: 5000 })
    .filter((e) => e.subject === name);

async function cut(proxy: TcpProxy, b: TestStation): Promise<void> {
  await proxy.cut();
  await waitFor(() => !running(b).field.link.online, 'B offline', WAIT);
}

async function heal(proxy: TcpProxy, b: TestStation): Promise<void> {
  await proxy.heal();
  await waitFor(() => running(b).field.link.online, 'B online again', WAIT);
}

describe('site-wide operator accounts (two stations, one mosquitto)', () => {
  it('a supervisor on A creates an operator who signs on at B; A disables them: B ends the session and refuses them; audited on both; no password on the wire', async () => {
    const { broker, a, b } = await site();
    const tap = await wire(broker);
    const created = ask(a, 'operators.create', {
      username: 'Olga',
      displayName: 'Olga K',
      role: 'operator',
      secret: OLGA_PIN,
    });
    expect(created).toMatchObject({ ok: true, value: { username: 'olga', role: 'operator', disabled: false } });

    await waitFor(() => account(b, 'olga'), 'olga known on B', WAIT);
    expect(running(b).sessions.signOn('olga', OLGA_PIN)).toMatchObject({ ok: true, value: { operator: 'olga' } });

    expect(ask(a, 'operators.disable', { username: 'olga' })).toMatchObject({ ok: true, value: { disabled: true } });
    await waitFor(() => running(b).sessions.session().operator === null, 'olga signed off on B', WAIT);
    expect(running(b).sessions.signOn('olga', OLGA_PIN)).toMatchObject({
      ok: false,
      refusal: { code: 'sign_on_failed', message: 'this account is disabled' },
    });

    // Audited where it was made and where it arrived: who made it (alice), where (ws-a).
    const onA = auditOf(a, 'olga').map((e) => [e.action, e.actor, e.stationId]);
    expect(onA).toEqual(
      expect.arrayContaining([
        ['operator.add', 'alice', 'ws-a'],
        ['operator.disable', 'alice', 'ws-a'],
      ]),
    );
    const onB = auditOf(b, 'olga');
    for (const action of ['operator.add', 'operator.disable'])
      expect(onB.find((e) => e.action === action)).toMatchObject({
        actor: 'alice',
        stationId: 'ws-b',
        result: 'ok',
        detail: expect.objectContaining({ via: 'sync', origin_station: 'ws-a' }),
      });
    const ended = onB.find((e) => e.action === 'operator.sign_off');
    expect(String((ended?.detail as { reason?: string }).reason)).toMatch(
      /account disabled \(disable by alice on ws-a\)/,
    );

    // What travelled: the account with its hash, retained per operator, from both stations.
    await waitFor(
      () => [...tap.payloads.keys()].some((k) => k.startsWith(topics.operatorRecord('north', 'ws-b', 'olga'))),
      'B republished the account',
      WAIT,
    );
    const records = [...tap.payloads].filter(([k]) => k.includes('/operators/')).map(([, p]) => JSON.parse(p));
    expect(records.length).toBeGreaterThanOrEqual(2);
    for (const r of records) {
      expect(r.operator.passwordHash).toMatch(/^scrypt\$/);
      expect(Object.keys(r.operator)).not.toContain('failedAttempts');
      expect(Object.keys(r.operator)).not.toContain('lockedUntil');
    }
    for (const payload of tap.payloads.values()) expect(payload).not.toContain(OLGA_PIN);
  }, 120_000);

  it('B offline while A disables: refused as soon as B reconnects; an enable on B apart from a disable on A: the disable wins on both', async () => {
    const { proxy, a, b } = await site();
    for (const [username, role, secret] of [
      ['olga', 'operator', OLGA_PIN],
      ['sam', 'supervisor', SAM_PIN],
    ] as const)
      read(a, 'operators.create', { username, displayName: username, role, secret });
    await waitFor(() => account(b, 'olga') && account(b, 'sam'), 'both accounts on B', WAIT);
    expect(running(b).sessions.signOn('olga', OLGA_PIN).ok).toBe(true);

    await cut(proxy, b);
    read(a, 'operators.disable', { username: 'olga' });
    // B cannot know yet: olga works on, as on any console cut off from the site.
    expect(running(b).sessions.session().operator).toBe('olga');
    await heal(proxy, b);
    await waitFor(() => running(b).sessions.session().operator === null, 'olga signed off on B', WAIT);
    expect(running(b).sessions.signOn('olga', OLGA_PIN)).toMatchObject({ ok: false });

    // Enabled again everywhere; then apart: A disables, B's supervisor disables and enables again (later).
    read(a, 'operators.enable', { username: 'olga' });
    await waitFor(() => account(b, 'olga')?.disabled === false, 'olga enabled on B', WAIT);
    expect(running(b).sessions.signOn('sam', SAM_PIN).ok).toBe(true);
    await cut(proxy, b);
    read(a, 'operators.disable', { username: 'olga' });
    read(b, 'operators.disable', { username: 'olga' });
    expect(read(b, 'operators.enable', { username: 'olga' })).toMatchObject({ disabled: false });
    await heal(proxy, b);

    await waitFor(() => account(b, 'olga')?.disabled, 'the disable from A wins on B', WAIT);
    await waitFor(
      () =>
        JSON.stringify(running(a).operators.directory.record('olga')?.last) ===
        JSON.stringify(running(b).operators.directory.record('olga')?.last),
      'the same account on both',
      WAIT,
    );
    for (const t of [a, b]) {
      expect(account(t, 'olga')!.disabled).toBe(true);
      // B's enable is the latest change; it could not lift a disable it had not seen.
      expect(running(t).operators.directory.record('olga')!.last).toMatchObject({ change: 'enable', by: 'sam' });
    }
    expect(running(a).operators.directory.record('olga')).toEqual(running(b).operators.directory.record('olga'));
    expect(auditOf(a, 'olga').find((e) => e.action === 'operator.enable' && e.actor === 'sam')).toMatchObject({
      result: 'overridden:disable_wins',
      detail: expect.objectContaining({ origin_station: 'ws-b' }),
    });
    expect(running(b).sessions.signOn('olga', OLGA_PIN)).toMatchObject({ ok: false });
  }, 180_000);

  it('only a supervisor manages accounts; a malformed account message is refused, counted and changes nothing', async () => {
    const { broker, a, b } = await site();
    read(a, 'operators.create', { username: 'vic', displayName: 'Vic', role: 'viewer', secret: '999999' });
    await waitFor(() => account(b, 'vic'), 'vic on B', WAIT);
    // Nobody signed on at B, then a viewer: refused by code.
    expect(ask(b, 'operators.list')).toMatchObject({ ok: false, refusal: { code: 'not_signed_on' } });
    expect(running(b).sessions.signOn('vic', '999999').ok).toBe(true);
    expect(ask(b, 'operators.disable', { username: 'vic' })).toMatchObject({ ok: false, refusal: { code: 'role' } });
    expect(
      ask(a, 'operators.create', { username: 'vic', displayName: 'V', role: 'viewer', secret: '123456' }),
    ).toMatchObject({
      ok: false,
      refusal: { code: 'conflict' },
    });
    expect(ask(a, 'operators.reset', { username: 'nobody', secret: '123456' })).toMatchObject({
      ok: false,
      refusal: { code: 'not_found' },
    });

    const intruder = await mqtt.connectAsync(broker.url, { clientId: 'intruder', reconnectPeriod: 0 });
    cleanups.push(() => intruder.endAsync(true));
    const good = running(a).operators.directory.record('vic')!;
    const bad: [string, string][] = [
      ['eve', 'not json'],
      // A password instead of a hash.
      ['eve', JSON.stringify({ v: 2, operator: { ...good, username: 'eve', passwordHash: '1234' } })],
      // Another account's name in the payload.
      ['eve', JSON.stringify({ v: 2, operator: { ...good, role: 'supervisor' } })],
    ];
    for (const [name, payload] of bad)
      await intruder.publishAsync(topics.operatorRecord('north', 'ws-x', name), payload, { qos: 1 });
    const rejected = () => running(a).field.counters.snapshot().rejected;
    await waitFor(
      () =>
        rejected()['not_json stations/+/operators/+'] === 1 &&
        rejected()['schema stations/+/operators/+'] === 1 &&
        rejected()['owner stations/+/operators/+'] === 1,
      'three refusals counted',
      WAIT,
    );
    expect(account(a, 'eve')).toBeNull();
    expect(account(a, 'vic')!.role).toBe('viewer');
  }, 120_000);

  it('old local accounts are shared at start; two stations’ accounts of one name: the one created last, on both, audited as a clash; a new station learns every account', async () => {
    const { broker, a, b } = await site();
    const dataOf = (t: TestStation) => path.join(t.config.dataDir, 'plainview.db');
    // Accounts made on each station before accounts were site-wide (no shared record yet).
    for (const [t, createdAt, name] of [
      [a, '2025-01-01T00:00:00.000Z', 'Jo on A'],
      [b, '2025-03-01T00:00:00.000Z', 'Jo on B'],
    ] as const) {
      await t.station.stop();
      const db = new Database(dataOf(t));
      db.prepare(
        `INSERT INTO operators (username, display_name, role, password_hash, disabled, failed_attempts, locked_until, created_at)
         VALUES ('jo', ?, 'operator', ?, 0, 0, NULL, ?)`,
      ).run(name, hashSecret(`${name}-pin`), createdAt);
      db.close();
    }
    await start(a);
    await start(b);
    for (const t of [a, b])
      await waitFor(
        () => account(t, 'jo')?.displayName === 'Jo on B',
        `B's newer account in force on ${t.config.stationId}`,
        WAIT,
      );
    expect(auditOf(a, 'jo').map((e) => e.action)).toEqual(
      expect.arrayContaining(['operator.share', 'operator.name_clash']),
    );
    expect(auditOf(a, 'jo').find((e) => e.action === 'operator.name_clash')!.detail).toMatchObject({
      kept_account_of: 'ws-b',
      dropped_account_of: 'ws-a',
    });

    const c = await start(
      testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_STATION_ID: 'ws-c', PLAINVIEW_OPERATOR_SIGN_ON: 'true' }),
    );
    await waitFor(() => account(c, 'jo')?.displayName === 'Jo on B', 'jo on the new station', WAIT);
    expect(running(c).sessions.signOn('jo', 'Jo on B-pin').ok).toBe(true);
  }, 180_000);

  it('plainview operators disable on a running station: it publishes, and the other station refuses the operator', async () => {
    const { a, b } = await site();
    read(a, 'operators.create', { username: 'olga', displayName: 'Olga', role: 'operator', secret: OLGA_PIN });
    await waitFor(() => account(b, 'olga'), 'olga on B', WAIT);
    const env = cleanEnv(b.config.dataDir, { PLAINVIEW_SITE_ID: 'north', PLAINVIEW_STATION_ID: 'ws-b' });
    const r = runCli(['operators', 'disable', 'olga'], env, tempDir());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/disabled olga/);
    await waitFor(() => account(a, 'olga')?.disabled, 'the disable on A', WAIT);
    expect(auditOf(a, 'olga').find((e) => e.action === 'operator.disable')).toMatchObject({
      actor: expect.stringMatching(/^os:/),
      detail: expect.objectContaining({ origin_station: 'ws-b' }),
    });
  }, 120_000);
});
