import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import type { LinkFacts } from '../../src/shared/field';
import type { SystemStatus } from '../../src/shared/system';
import { startAedes, startMosquitto, type TestBroker } from '../helpers/brokers';
import { read, testStation, type TestStation } from '../helpers/station';
import { alarmSweeps } from '../helpers/sweeps';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const PASSWORD = 'acl-test-pw-7731';
const ROOT = 'plainview/v2/north';
/** The station's own topics (protocol v2). */
const OWN = `${ROOT}/stations/ws-1`;
const DYNSEC = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/local/lib']
  .map((d) => path.join(d, 'mosquitto_dynamic_security.so'))
  .find((f) => fs.existsSync(f));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

interface Acl {
  acltype: 'publishClientSend' | 'subscribePattern';
  topic: string;
  allow: boolean;
  priority?: number;
}

/**
 * A real mosquitto whose dynamic-security plugin knows one account, `station`, allowed
 * everything except `deny` (the plain `acl_file` never refuses a SUBSCRIBE: it filters at
 * delivery, silently; the plugin answers SUBACK 0x87 under MQTT 5 and 0x80 under 3.1.1).
 */
async function aclBroker(deny: Acl[]): Promise<{ broker: TestBroker; setAcls: (deny: Acl[]) => void }> {
  if (!DYNSEC) throw new Error("mosquitto's dynamic security plugin (mosquitto_dynamic_security.so) is not installed");
  const dir = tempDir();
  fs.chmodSync(dir, 0o755);
  const file = path.join(dir, 'dynsec.json');
  const made = spawnSync('mosquitto_ctrl', ['dynsec', 'init', file, 'station', PASSWORD], { encoding: 'utf8' });
  expect(fs.existsSync(file), made.stderr + made.stdout).toBe(true);
  const setAcls = (denied: Acl[]) => {
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { roles: { acls: Acl[] }[] };
    config.roles[0]!.acls = [
      ...denied.map((a) => ({ ...a, priority: 10 })),
      { acltype: 'publishClientSend', topic: '#', allow: true },
      { acltype: 'subscribePattern', topic: '#', allow: true },
    ];
    fs.writeFileSync(file, JSON.stringify(config));
    fs.chmodSync(file, 0o644);
  };
  setAcls(deny);
  const broker = await startMosquitto({
    extraConfig: ['allow_anonymous false', `plugin ${DYNSEC}`, `plugin_opt_config_file ${file}`, 'log_type all'],
  });
  return { broker, setAcls };
}

const deniedSnapshots: Acl = { acltype: 'publishClientSend', topic: `${OWN}/snapshots/incidents/+`, allow: false };
const deniedAlerts: Acl = { acltype: 'subscribePattern', topic: `${ROOT}/alerts/+`, allow: false };

function station(url: string, env: Record<string, string> = {}): TestStation {
  // Plain mqtt:// on this machine, accepted by policy (testStation reads <dir>/no-policy.json).
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'no-policy.json'), JSON.stringify({ allowPlaintextPassword: true }));
  const t = testStation(
    { PLAINVIEW_MQTT_URL: url, PLAINVIEW_MQTT_USERNAME: 'station', ...env },
    path.join(dir, 'data'),
    { secrets: { get: async (name) => (name === 'mqtt-password' ? PASSWORD : null) } },
  );
  cleanups.push(() => t.station.stop());
  return t;
}

const facts = (t: TestStation): LinkFacts => (read(t, 'system.status') as SystemStatus).linkFacts;
const mqttCheck = (t: TestStation) => t.station.health.get().details.mqtt;
const alarm = (t: TestStation) => t.station.running().alarms.get('broker-refused-ws-1');

/** An incident: its event goes to stations/ws-1/events, its retained snapshot to stations/ws-1/snapshots/incidents/<id>. */
function openIncident(t: TestStation): string {
  const created = t.station.running().incidents.create('alice', {
    title: 'Pressure drop KP 12',
    severity: 'high',
    description: '',
    segment: null,
    valves: [],
    alarms: [],
  });
  if (!created.ok) throw new Error(created.refusal.message);
  return created.value.id;
}

describe('a broker that refuses some topics (mosquitto ACL)', () => {
  it('MQTT 5: PUBACK and SUBACK 0x87 named by topic in health, the System view and an alarm; the link stays up; cleared once allowed', async () => {
    const { broker, setAcls } = await aclBroker([deniedSnapshots, deniedAlerts]);
    const t = station(broker.url);
    await t.station.start();
    const link = t.station.running().field.link;
    await waitFor(() => link.online, 'online', 90_000);
    expect(facts(t)).toMatchObject({ protocolSetting: 'auto', protocol: '5', warnings: [] });

    const subscribe = { kind: 'subscribe', topic: `${ROOT}/alerts/+`, code: 0x87, reason: 'Not authorized (0x87)' };
    await waitFor(() => facts(t).refusals.some((r) => r.kind === 'subscribe'), 'the refused subscription');
    expect(facts(t).refusals).toEqual([expect.objectContaining({ ...subscribe, held: false })]);

    const id = openIncident(t);
    const snapshot = `${OWN}/snapshots/incidents/${id}`;
    await waitFor(() => facts(t).refusals.some((r) => r.topic === snapshot), 'the refused publish', 90_000);
    expect(facts(t).refusals).toContainEqual(
      expect.objectContaining({ kind: 'publish', topic: snapshot, code: 0x87, reason: 'Not authorized (0x87)' }),
    );

    // Health names both, by topic and reason.
    const check = await waitFor(() => {
      const c = mqttCheck(t);
      return c.status === 'degraded' && c.reason?.includes(snapshot) ? c : null;
    }, 'health degraded by the refusals');
    expect(check.reason).toContain(`subscribe ${ROOT}/alerts/+ (Not authorized (0x87))`);
    expect(check.reason).toContain(`publish ${snapshot} (Not authorized (0x87))`);
    expect(check.details).toMatchObject({ mqtt_version: '5', broker_refusals: expect.any(Array) });

    // A local alarm, naming them.
    const raised = await waitFor(() => {
      const a = alarm(t);
      return a?.state === 'active_unacked' && a.message.includes(snapshot) ? a : null;
    }, 'the broker-refused alarm');
    expect(raised.message).toContain(`${ROOT}/alerts/+`);
    expect(raised.message).toContain('Not authorized (0x87)');
    expect(raised.priority).toBe('high');

    // The outbox keeps offering the snapshot (every 5 s): refused each time, never a reconnect.
    await waitFor(
      () => (broker.logs().match(/Denied PUBLISH from plainview-north-ws-1/g) ?? []).length >= 3,
      'three refusals',
      90_000,
    );
    expect(link.online).toBe(true);
    expect(link.attempts).toBe(1);
    expect(t.lines.filter((l) => l.includes('the broker refused a publish'))).toHaveLength(1);

    // IT fixes the ACL: the new SUBACK and the snapshot's PUBACK clear everything.
    setAcls([]);
    await broker.restart();
    await waitFor(() => link.online && facts(t).refusals.length === 0, 'nothing refused any more', 90_000);
    await waitFor(() => alarm(t)?.state === 'cleared_unacked', 'the alarm cleared');
    await waitFor(() => mqttCheck(t).status === 'ok', 'health ok');
    expect(t.station.running().outbox.unsentCount()).toBe(0);
  }, 120_000);

  it('MQTT 3.1.1: SUBACK 0x80 named by topic; a refused publish cannot be seen (positive PUBACK): the facts say so', async () => {
    const { broker } = await aclBroker([deniedSnapshots, deniedAlerts]);
    const t = station(broker.url, { PLAINVIEW_MQTT_PROTOCOL_VERSION: '4' });
    await t.station.start();
    const link = t.station.running().field.link;
    await waitFor(() => link.online, 'online', 90_000);
    expect(facts(t)).toMatchObject({ protocolSetting: '3.1.1', protocol: '3.1.1' });
    await waitFor(() => facts(t).refusals.length === 1, 'the refused subscription');
    expect(facts(t).refusals[0]).toMatchObject({
      kind: 'subscribe',
      topic: `${ROOT}/alerts/+`,
      code: 0x80,
      reason: 'Failure (0x80)',
    });
    await waitFor(() => alarm(t)?.state === 'active_unacked', 'the broker-refused alarm');
    expect(alarm(t)!.message).toContain(`subscribe ${ROOT}/alerts/+ (Failure (0x80))`);

    // mosquitto denies the snapshot, logs it, and acknowledges it as if delivered.
    openIncident(t);
    await waitFor(() => broker.logs().includes('Denied PUBLISH from plainview-north-ws-1'), 'the denial', 90_000);
    await waitFor(() => t.station.running().outbox.unsentCount() === 0, 'the outbox thinks it sent it');
    expect(facts(t).refusals.map((r) => r.kind)).toEqual(['subscribe']);
    expect(link.attempts).toBe(1);
  }, 120_000);
});

/**
 * aedes with an authorizer that refuses the incident snapshots: it answers such a publish by
 * closing the connection (MQTT 3.1.1's other option, MQTT-3.3.5-2), with no reason.
 */
async function disconnectingBroker(): Promise<{ url: string; connects: () => number }> {
  const aedes = await Aedes.createBroker({
    maxClientsIdLength: 128,
    authorizePublish: (_client, packet, done) =>
      done(packet.topic.includes('/snapshots/incidents/') ? new Error('not authorized') : null),
  });
  let connects = 0;
  aedes.on('client', () => connects++);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => (sockets.add(s), aedes.handle(s)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`, connects: () => connects };
}

describe('a broker that closes the connection on a refused publish (aedes)', () => {
  it('the topic in flight at two closes is held: reported, no longer published, the link stays up', async () => {
    const broker = await disconnectingBroker();
    const t = testStation({ PLAINVIEW_MQTT_URL: broker.url });
    cleanups.push(() => t.station.stop());
    await t.station.start();
    const link = t.station.running().field.link;
    await waitFor(() => link.online, 'online', 90_000);
    const id = openIncident(t);
    const snapshot = `${OWN}/snapshots/incidents/${id}`;
    await waitFor(() => facts(t).refusals.some((r) => r.held), 'the snapshot held', 90_000);
    expect(facts(t).refusals).toEqual([
      expect.objectContaining({
        kind: 'publish',
        topic: snapshot,
        code: 0,
        held: true,
        reason: 'the broker closed the connection on it',
      }),
    ]);
    await waitFor(() => link.online, 'online again', 90_000);
    await waitFor(() => alarm(t)?.message.includes(snapshot), 'the alarm names the topic');
    const connects = broker.connects();
    expect(connects).toBeLessThanOrEqual(3);

    // Several outbox retries later (each 5 s), not one more connection.
    const sweeps = alarmSweeps(t.station);
    await sweeps.more(12, 'two outbox retries');
    expect(broker.connects()).toBe(connects);
    expect(link.online).toBe(true);
    expect(mqttCheck(t).reason).toContain(
      `publish ${snapshot} (the broker closed the connection on it; no longer published)`,
    );
  }, 120_000);
});

describe('MQTT version: auto', () => {
  it('an MQTT 3.1.1-only broker (aedes): MQTT 5 is refused, 3.1.1 connects and is kept; health and the facts say 3.1.1', async () => {
    const broker = await startAedes();
    const t = testStation({ PLAINVIEW_MQTT_URL: broker.url });
    cleanups.push(() => t.station.stop());
    await t.station.start();
    const link = t.station.running().field.link;
    await waitFor(() => link.online, 'online', 90_000);
    expect(facts(t)).toMatchObject({ protocolSetting: 'auto', protocol: '3.1.1' });
    expect((mqttCheck(t).details as { mqtt_version: string }).mqtt_version).toBe('3.1.1');
    expect(t.lines.join('\n')).toMatch(/the broker does not accept MQTT 5; trying MQTT 3.1.1/);
    expect(t.lines.join('\n')).toMatch(/the broker speaks MQTT 3.1.1; this version is kept for this run/);
    expect(link.attempts).toBe(2);

    // Kept across a reconnect: no MQTT 5 attempt again.
    await broker.restart();
    await waitFor(() => !link.online, 'offline', 90_000);
    await waitFor(() => link.online, 'online again', 90_000);
    expect(t.lines.filter((l) => l.includes('does not accept MQTT 5'))).toHaveLength(1);
  }, 120_000);

  it('MQTT 5 forced against a 3.1.1-only broker: offline, saying what to set, retried slowly', async () => {
    const broker = await startAedes();
    const t = testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_PROTOCOL_VERSION: '5' });
    cleanups.push(() => t.station.stop());
    await t.station.start();
    const field = t.station.running().field;
    const state = await waitFor(() => (field.link.state.status === 'offline' ? field.link.state : null), 'offline');
    expect(state.reason).toMatch(
      /Unacceptable protocol version: the broker does not accept MQTT 5: set PLAINVIEW_MQTT_PROTOCOL_VERSION=auto/,
    );
    expect(Date.parse(state.nextAttemptAt) - Date.now()).toBeGreaterThan(25_000);
    expect(facts(t)).toMatchObject({ protocolSetting: '5', protocol: null });
  }, 90_000);
});
