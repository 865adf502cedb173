import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/main/log';
import { KeytarSecretStore } from '../../src/main/secrets/secret-store';
import { FieldSimulator } from '../../src/main/sim';
import { demoDefinitions } from '../../src/main/sim/demo-definitions';
import { stationSubscriptions, topics, type ValveStateMessage } from '../../src/shared/protocol';
import { startMosquitto, type TestBroker } from '../helpers/brokers';
import { cleanEnv, runCli } from '../helpers/cli';
import { useKeyringInThisFile } from '../helpers/keyring';
import { ask, testStation, type TestStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

useKeyringInThisFile();

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SITE = 'north';
const STATIONS = ['ws-a', 'ws-b', 'ws-watch'];
const GATEWAYS = ['gw-1', 'gw-2'];
/** Station A also runs the site's Sparkplug B host, with the host's own account. */
const SPARKPLUG_HOST = 'pv-north';
/** Both stations read the one keychain of this process: the same password for the station accounts. */
const STATION_PW = 'station-pw-7Hq';
const passwordOf = (account: string) => (STATIONS.includes(account) ? STATION_PW : `pw-of-${account}-x9`);
const WAIT = 90_000;

interface LockedBroker {
  broker: TestBroker;
  /** Everything mosquitto logged (log_type all), read now. */
  log: () => string;
}

/**
 * mosquitto with the ACL and password file `plainview broker acl` generates for the site (the
 * built CLI, as an admin would run it), `allow_anonymous false`, every log type to a file.
 */
async function lockedBroker(): Promise<LockedBroker> {
  const dir = tempDir();
  fs.chmodSync(dir, 0o755);
  const out = runCli(
    [
      ...['broker', 'acl', '--site', SITE, '--stations', STATIONS.join(','), '--gateways', GATEWAYS.join(',')],
      ...['--sparkplug', SPARKPLUG_HOST, '--out', dir],
    ],
    cleanEnv(path.join(dir, 'data')),
    dir,
  );
  expect(out.code, out.stderr).toBe(0);
  const template = fs.readFileSync(path.join(dir, 'mosquitto.passwd.template'), 'utf8');
  const accounts = template.trim().split('\n');
  expect(accounts.map((l) => l.split(':')[0])).toEqual([...STATIONS, ...GATEWAYS, 'pipelineguard', SPARKPLUG_HOST]);
  const passwd = path.join(dir, 'passwd');
  fs.writeFileSync(
    passwd,
    accounts.map((l) => l.replace(/:CHANGE-ME$/, `:${passwordOf(l.split(':')[0]!)}`)).join('\n'),
  );
  const hashed = spawnSync('mosquitto_passwd', ['-U', passwd], { encoding: 'utf8' });
  expect(hashed.status, hashed.stderr).toBe(0);
  const logFile = path.join(dir, 'mosquitto.log');
  for (const f of [passwd, path.join(dir, 'mosquitto.acl')]) fs.chmodSync(f, 0o644);
  const broker = await startMosquitto({
    extraConfig: [
      'allow_anonymous false',
      `password_file ${passwd}`,
      `acl_file ${path.join(dir, 'mosquitto.acl')}`,
      'log_type all',
      `log_dest file ${logFile}`,
    ],
  });
  return { broker, log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '') };
}

const denials = (log: string) => log.split('\n').filter((l) => /denied/i.test(l));

function station(url: string, id: string, env: Record<string, string> = {}): TestStation {
  return testStation(
    {
      PLAINVIEW_MQTT_URL: url,
      PLAINVIEW_STATION_ID: id,
      PLAINVIEW_MQTT_USERNAME: id,
      PLAINVIEW_VALVE_COOLDOWN_SEC: '0',
      ...env,
    },
    undefined,
    { osAccount: id === 'ws-a' ? 'alice' : 'bob' },
  );
}

async function client(url: string, account: string, clientId: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, {
    clientId,
    username: account,
    password: passwordOf(account),
    protocolVersion: 5,
    reconnectPeriod: 0,
  });
  cleanups.push(() => c.endAsync(true));
  return c;
}

const running = (t: TestStation) => t.station.running();

async function commandRoundTrip(t: TestStation, valveId: string): Promise<void> {
  const act = running(t).actuation;
  const before = running(t).field.state.valveView(valveId)!;
  const action = before.state === 'closed' ? 'open' : 'close';
  const sel = act.select({ valveId, action }, { requestId: 'acl-test' });
  if (!sel.ok) throw new Error(`select refused: ${sel.refusal.code} ${sel.refusal.message}`);
  const op = await act.operate(sel.value.id, { requestId: 'acl-test' });
  expect(op.ok, JSON.stringify(op)).toBe(true);
  await waitFor(() => act.commands.get(sel.value.id)?.state === 'completed', `${valveId} command completed`, WAIT);
}

describe('a broker locked down with the generated ACL (mosquitto, one account per station, gateway and PipelineGuard)', () => {
  it('two stations (one the Sparkplug host, on its own account), the simulator and PipelineGuard do everything with zero denials; a gateway writing another gateway’s valve is denied and never shown', async () => {
    const { broker, log } = await lockedBroker();
    await new KeytarSecretStore().set('mqtt-password', STATION_PW);
    cleanups.push(() => new KeytarSecretStore().delete('mqtt-password'));
    await new KeytarSecretStore().set('sparkplug-password', passwordOf(SPARKPLUG_HOST));
    cleanups.push(() => new KeytarSecretStore().delete('sparkplug-password'));

    // A third station account, for looking: it subscribes as a station does, each filter granted.
    const watch = await client(broker.url, 'ws-watch', 'acl-watch');
    const seen = new Map<string, string>();
    watch.on('message', (topic, payload) => seen.set(topic, payload.toString()));
    const granted = await watch.subscribeAsync(stationSubscriptions(SITE), { qos: 1 });
    expect(granted.filter((g) => g.qos === 128)).toEqual([]);

    // The host's STATE, as its own account reads it (no other account may).
    const host = await client(broker.url, SPARKPLUG_HOST, 'acl-sparkplug-watch');
    const states: string[] = [];
    host.on('message', (_topic, payload) => states.push(payload.toString()));
    await host.subscribeAsync(`spBv1.0/STATE/${SPARKPLUG_HOST}`, { qos: 1 });

    const a = station(broker.url, 'ws-a', {
      PLAINVIEW_OS_ACCOUNT_ROLE: 'supervisor',
      PLAINVIEW_SPARKPLUG_HOST_ID: SPARKPLUG_HOST,
      PLAINVIEW_SPARKPLUG_PRIMARY_HOST: 'true',
      PLAINVIEW_SPARKPLUG_USERNAME: SPARKPLUG_HOST,
    });
    const b = station(broker.url, 'ws-b');
    for (const s of [a, b]) {
      await s.station.start();
      cleanups.push(() => s.station.stop());
    }
    const sim = new FieldSimulator({
      brokerUrl: broker.url,
      site: SITE,
      log: createLogger({ level: 'error', json: true, sinks: [] }),
      demo: false,
      valves: 12,
      rate: 20,
      gateways: 2,
      strokeMs: 500,
      credentials: (account) => ({ username: account, password: passwordOf(account) }),
    });
    await sim.start();
    cleanups.push(() => sim.stop());

    // Valve state, point meta and samples from both gateways, the site from PipelineGuard.
    for (const s of [a, b]) {
      await waitFor(() => running(s).field.link.online, 'online', WAIT);
      await waitFor(() => running(s).field.state.valves.size === 12, 'the twelve valves', WAIT);
      await waitFor(() => running(s).field.state.site?.segments.length === 2, 'the site description', WAIT);
      for (const p of ['seg-01-pressure', 'seg-02-flow'])
        await waitFor(() => running(s).field.state.pointView(p)?.quality === 'good', `${p} fresh`, WAIT);
    }

    // The Sparkplug host is up on its own account: its STATE birth, retained.
    await waitFor(() => states.some((p) => JSON.parse(p).online === true), 'the Sparkplug host’s STATE birth', WAIT);

    // A command round trip to each gateway (v-101 is gw-1's, v-107 gw-2's), from each station.
    await commandRoundTrip(a, 'v-101');
    await commandRoundTrip(b, 'v-107');

    // PipelineGuard's alert raises an alarm on both; an acknowledgement on A (a station event) reaches B.
    sim.raiseLeak('seg-02');
    for (const s of [a, b])
      await waitFor(() => running(s).alarms.get('leak-seg-02')?.state === 'active_unacked', 'the leak alarm', WAIT);
    expect(running(a).alarms.acknowledge('leak-seg-02', 'alice').ok).toBe(true);
    await waitFor(() => running(b).alarms.get('leak-seg-02')?.state === 'active_acked', 'acked on B', WAIT);

    // An incident made on B reaches A.
    const created = running(b).incidents.create('bob', {
      title: 'Leak suspected on segment 2',
      severity: 'critical',
      description: '',
      segment: 'seg-02',
      valves: [],
      alarms: ['leak-seg-02'],
    });
    const incidentId = created.ok ? created.value.id : '';
    await waitFor(() => running(a).incidents.get(incidentId), 'the incident on A', WAIT);

    // Alarm definitions changed on A (a supervisor) are in force on B.
    expect(ask(a, 'limits.change', { definitions: demoDefinitions(sim.layout), reason: 'as rationalized' }).ok).toBe(
      true,
    );
    await waitFor(() => running(b).definitions.current().version === 1, 'the definitions on B', WAIT);

    // An operator account made on A by its supervisor is known on B, which republishes it under its own id.
    expect(
      ask(a, 'operators.create', { username: 'olga', displayName: 'Olga', role: 'operator', secret: '432109' }).ok,
    ).toBe(true);
    await waitFor(() => running(b).operators.directory.get('olga'), 'the account on B', WAIT);

    // Retained snapshots and definitions, each under its station's own id, as the watcher sees them.
    const root = `plainview/v2/${SITE}`;
    await waitFor(() => seen.has(`${root}/stations/ws-a/snapshots/alarms/leak-seg-02`), 'A’s alarm snapshot', WAIT);
    await waitFor(
      () => seen.has(`${root}/stations/ws-b/snapshots/incidents/${incidentId}`),
      'B’s incident snapshot',
      WAIT,
    );
    await waitFor(() => seen.has(`${root}/stations/ws-a/alarm-definitions`), 'A’s definitions', WAIT);
    await waitFor(
      () => seen.has(`${root}/stations/ws-b/alarm-definitions`),
      'B’s definitions, as in force there',
      WAIT,
    );
    await waitFor(() => seen.has(`${root}/alerts/leak-seg-02`), 'the alert', WAIT);
    for (const id of ['ws-a', 'ws-b'])
      await waitFor(() => seen.has(`${root}/stations/${id}/operators/olga`), `${id}’s copy of the account`, WAIT);
    for (const s of [a, b])
      await waitFor(() => running(s).outbox.unsentCount() === 0, 'every outbox message sent', WAIT);

    // A gateway's will: dropped without a goodbye, it is offline on both stations; then back.
    sim.dropGateway('gw-2');
    for (const s of [a, b])
      await waitFor(() => running(s).field.state.gateways.get('gw-2') === false, 'gw-2 offline (its will)', WAIT);
    await sim.restoreGateway('gw-2');
    for (const s of [a, b])
      await waitFor(() => running(s).field.state.gateways.get('gw-2') === true, 'gw-2 online again', WAIT);

    // A station's will: B's connection dies without DISCONNECT; the watcher sees its offline, then its online.
    const presenceB = `${root}/stations/ws-b/presence`;
    seen.delete(presenceB);
    const linkB = running(b).field.link as unknown as { client: MqttClient | null };
    linkB.client?.stream.destroy();
    await waitFor(() => seen.get(presenceB)?.includes('"offline"'), 'B’s will', WAIT);
    await waitFor(() => seen.get(presenceB)?.includes('"online"'), 'B back online', WAIT);

    expect(denials(log()), 'no account was refused anything').toEqual([]);
    for (const s of [a, b]) expect(s.lines.join('\n')).not.toContain('broker refused subscriptions');

    // gw-2's account writes gw-1's valve: the broker denies it (MQTT 5: PUBACK "not authorized").
    const spoofer = await client(broker.url, 'gw-2', 'spoofer-gw-2');
    const fake = (gateway: string): ValveStateMessage => ({
      v: 2,
      ts: new Date().toISOString(),
      gateway,
      name: 'spoofed',
      segment: 'seg-01',
      state: 'fault',
      position: 0,
      quality: 'good',
      localControl: true,
      supportsPosition: false,
      fault: 'spoofed',
    });
    const denied = await spoofer
      .publishAsync(topics.valveState(SITE, 'gw-1', 'v-102'), JSON.stringify(fake('gw-1')), { qos: 1, retain: true })
      .then(
        () => null,
        (err: Error) => err.message,
      );
    expect(denied).toMatch(/not authorized|135/i);
    await waitFor(
      () => denials(log()).some((l) => l.includes('spoofer-gw-2') && l.includes('gateways/gw-1/valves/v-102/state')),
      'the denial in mosquitto’s log',
      WAIT,
    );
    // Under its own id the broker lets it claim the valve; the stations refuse and count it.
    await spoofer.publishAsync(topics.valveState(SITE, 'gw-2', 'v-102'), JSON.stringify(fake('gw-2')), { qos: 1 });
    for (const s of [a, b])
      await waitFor(
        () => running(s).field.counters.snapshot().rejected['owner gateways/+/valves/+/state'] === 1,
        'the claim refused',
        WAIT,
      );
    // Whatever the spoofer sent reached the stations before that (one connection's messages keep their order).
    for (const s of [a, b]) {
      const v = running(s).field.state.valves.get('v-102')!;
      expect(v.msg).toMatchObject({ gateway: 'gw-1', name: expect.not.stringMatching('spoofed') });
      expect(v.msg.state).not.toBe('fault');
    }
    expect(denials(log()).every((l) => l.includes('spoofer-gw-2'))).toBe(true);
  }, 240_000);
});
