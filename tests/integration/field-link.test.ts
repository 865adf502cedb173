import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import mqtt from 'mqtt';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { FieldSimulator } from '../../src/main/sim';
import { createLogger } from '../../src/main/log';
import { topics } from '../../src/shared/protocol';
import { startAedes, startMosquitto, type TestBroker } from '../helpers/brokers';
import { countSamples, storedSamples } from '../helpers/history';
import { testStation, type TestStation } from '../helpers/station';
import { alarmSweeps } from '../helpers/sweeps';
import { waitFor } from '../helpers/wait';

const quiet = createLogger({ level: 'error', json: true, sinks: [] });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function station(
  broker: { url: string; mqtt5?: boolean },
  extra: Record<string, string> = {},
  dataDir?: string,
): Promise<TestStation> {
  const t = testStation(
    { PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_PROTOCOL_VERSION: broker.mqtt5 ? '5' : '4', ...extra },
    dataDir,
  );
  await t.station.start();
  cleanups.push(() => t.station.stop());
  return t;
}

async function simulator(broker: TestBroker, opts: { valves?: number; rate?: number } = {}): Promise<FieldSimulator> {
  const sim = new FieldSimulator({
    brokerUrl: broker.url,
    site: 'north',
    log: quiet,
    demo: false,
    valves: opts.valves ?? 12,
    rate: opts.rate ?? 50,
  });
  await sim.start();
  cleanups.push(() => sim.stop());
  return sim;
}

/**
 * Waits for the link to be online; after an outage, at least until its next scheduled attempt
 * (the backoff grows with each refused attempt, and a loaded machine makes more of them).
 */
const online = (t: TestStation) => {
  const s = t.station.running().field.link.state;
  const next = s.status === 'offline' ? Date.parse(s.nextAttemptAt) - Date.now() : 0;
  return waitFor(() => t.station.running().field.link.online, 'the link to come online', 15_000 + Math.max(0, next));
};
const count = (t: TestStation, sql: string) => (t.station.running().store.db.prepare(sql).get() as { n: number }).n;
const samplesOf = (t: TestStation) => countSamples(path.dirname(t.station.running().store.db.name));

describe.each([
  ['aedes', () => startAedes()],
  ['mosquitto', () => startMosquitto()],
])('field link against %s', (_name, start) => {
  it('ingests the simulated site: latest state in memory and in the store, samples written', async () => {
    const broker = await start();
    const t = await station(broker);
    await simulator(broker, { valves: 12, rate: 100 });
    await online(t);
    const field = t.station.running().field;
    await waitFor(() => field.state.valves.size === 12, 'all valves');
    await waitFor(() => count(t, 'SELECT count(*) AS n FROM valves') === 12, 'valves in the store');
    await waitFor(() => samplesOf(t) > 50, 'samples in the store');
    expect(field.state.valveList().every((v) => v.quality === 'good')).toBe(true);
    // Health answers from a cache at most a second old: wait for it to say so.
    await waitFor(() => t.station.health.get().details.mqtt.status === 'ok', 'health ok');
    expect(field.counters.totalRejected()).toBe(0);
    const site = t.station.running().store.db.prepare('SELECT name FROM sites WHERE id = ?').get('north');
    expect(site).toEqual({ name: 'Simulated pipeline' });
  });
});

describe.each([
  ['aedes', () => startAedes()],
  ['mosquitto', () => startMosquitto()],
])('field link through a broker crash (%s)', (_name, start) => {
  it('broker killed mid-stream and restarted: reconnects on the backoff schedule, resubscribes, values stale then fresh', async () => {
    const broker = await start();
    const t = await station(broker, { PLAINVIEW_STALE_AFTER_SEC: '3' });
    const sim = await simulator(broker, { valves: 6, rate: 60 });
    await online(t);
    const field = t.station.running().field;
    await waitFor(() => field.state.valves.size === 6, 'valves');
    const point = (await waitFor(() => [...field.state.points.values()].find((p) => p.ts !== null), 'a sample')).id;

    await broker.kill();
    const offline = await waitFor(
      () => (field.link.state.status === 'offline' ? field.link.state : null),
      'offline state',
    );
    expect(Date.parse(offline.nextAttemptAt)).toBeGreaterThan(Date.now() - 100);
    // Health answers from a cache at most a second old: wait until it has seen the outage.
    const health = await waitFor(() => {
      const mqtt = t.station.health.get().details.mqtt;
      return /offline since/.test(mqtt.reason ?? '') ? mqtt : null;
    }, 'health reporting the outage');
    expect(health.status).toBe('degraded');
    expect(health.reason).toMatch(/offline since .* next attempt at /);
    // Link down: everything is stale at once, with its age.
    expect(field.state.valveList().every((v) => v.quality === 'stale')).toBe(true);
    expect(field.state.pointView(point)!.quality).toBe('stale');
    expect(field.state.pointView(point)!.ageMs).toBeGreaterThanOrEqual(0);

    // The outage lasts until the station has tried twice more and been refused: the backoff at work.
    const tried = field.link.attempts;
    await waitFor(
      () => field.link.attempts >= tried + 2 && field.link.state.status === 'offline',
      'two reconnect attempts refused while the broker is down',
      20_000,
    );
    await broker.restart();
    await online(t);
    // A non-persistent broker forgot the session: only a resubscribe brings samples back.
    const before = samplesOf(t);
    await waitFor(() => samplesOf(t) > before + 20, 'samples after the restart');
    await waitFor(() => field.state.valveList().every((v) => v.quality === 'good'), 'fresh valves');
    // Backoff, not a tight loop: a handful of attempts in ~2 s of outage.
    expect(field.link.attempts).toBeLessThan(10);
    void sim;
  }, 60_000);
});

describe('field link: a kept session', () => {
  it('a station started on a fresh database under the same id gets the retained state of the site, although the broker kept its session', async () => {
    const broker = await startMosquitto();
    await simulator(broker, { valves: 12, rate: 0 });
    // The first station makes the broker keep a session (client id from the station id).
    const first = testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_PROTOCOL_VERSION: '5' });
    await first.station.start();
    await online(first);
    await waitFor(() => first.station.running().field.state.valves.size === 12, 'all valves on the first');
    await first.station.stop();
    // Same station id, new data folder (a new install, a restored backup): nothing known yet.
    const second = await station({ url: broker.url, mqtt5: true });
    await online(second);
    expect(second.station.running().field.link.state).toMatchObject({ status: 'online' });
    await waitFor(() => second.station.running().field.state.valves.size === 12, 'all valves on the second', 20_000);
  }, 90_000);
});

describe('field link through outages (mosquitto)', () => {
  it('every outbox message is delivered exactly once in effect across a SIGKILL of the broker', async () => {
    const broker = await startMosquitto({
      persistence: true,
      extraConfig: ['autosave_on_changes true', 'autosave_interval 1'],
    });
    const t = await station(broker);
    await online(t);
    // A persistent subscriber counting what arrives, by id.
    const seen = new Map<string, number>();
    const sub = mqtt.connect(broker.url, {
      clientId: 'counter',
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 300,
    });
    cleanups.push(() => sub.endAsync(true));
    sub.on('message', (_topic, payload) => {
      const id = (JSON.parse(payload.toString()) as { id: string }).id;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    });
    await new Promise<void>((resolve) => sub.once('connect', () => resolve()));
    await sub.subscribeAsync(topics.stationEvents('north', '+'), { qos: 1 });
    // The subscription reaches the broker's disk (the file holds a subscription as its client id and topic).
    const saved = Buffer.from(`counter${topics.stationEvents('north', '+')}`);
    await waitFor(() => fs.readFileSync(broker.dataFile!).includes(saved), "the subscription in the broker's file");

    const events = t.station.running().stationEvents;
    const ids: string[] = [];
    const publishing = setInterval(
      () => ids.push(events.publish('alarm.acknowledged', { alarm: `a-${ids.length}` }).id),
      20,
    );
    cleanups.push(async () => clearInterval(publishing));
    await waitFor(() => seen.size >= 20, 'events before the kill');
    await broker.kill();
    // Events go on while the broker is down (40: 800 ms of them, however long that takes here).
    const atKill = ids.length;
    await waitFor(() => ids.length >= atKill + 40, 'events made while the broker is down');
    await broker.restart();
    await waitFor(() => ids.length >= 150, 'more events');
    clearInterval(publishing);

    await waitFor(() => t.station.running().outbox.unsentCount() === 0, 'the outbox to drain', 30_000);
    await waitFor(() => ids.every((id) => seen.has(id)), 'every event at the subscriber', 30_000);
    expect(new Set(seen.keys())).toEqual(new Set(ids));
    // The station's own copy of each event was applied once, however often it came back.
    expect(count(t, 'SELECT count(*) AS n FROM applied_events')).toBe(ids.length);
  }, 90_000);

  it('station restarted: retained state comes back and no outbox message is lost', async () => {
    const broker = await startMosquitto();
    const first = await station(broker);
    await simulator(broker, { valves: 4, rate: 10 });
    await online(first);
    await waitFor(() => first.station.running().field.state.valves.size === 4, 'valves');
    // Queue events while the link is down, then stop the station before they can be sent.
    const dataDir = first.config.dataDir;
    await first.station.stop();
    cleanups.pop();

    const offlineStation = testStation(
      { PLAINVIEW_MQTT_URL: 'mqtt://127.0.0.1:1', PLAINVIEW_MQTT_PROTOCOL_VERSION: '4' },
      dataDir,
    );
    await offlineStation.station.start();
    const queued = [1, 2, 3].map((n) => offlineStation.station.running().stationEvents.publish('note', { n }).id);
    // Served from the store, marked stale, while no broker answers.
    expect(offlineStation.station.running().field.state.valveList()).toHaveLength(4);
    expect(
      offlineStation.station
        .running()
        .field.state.valveList()
        .every((v) => v.quality === 'stale'),
    ).toBe(true);
    await offlineStation.station.stop();

    const seen = new Set<string>();
    const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    cleanups.push(() => sub.endAsync(true));
    sub.on('message', (_t, p) => seen.add((JSON.parse(p.toString()) as { id: string }).id));
    await sub.subscribeAsync(topics.stationEvents('north', '+'), { qos: 1 });

    const second = await station(broker, {}, dataDir);
    await online(second);
    await waitFor(
      () =>
        second.station
          .running()
          .field.state.valveList()
          .every((v) => v.quality === 'good'),
      'retained valve states',
    );
    await waitFor(() => queued.every((id) => seen.has(id)), 'the queued events');
    await waitFor(() => second.station.running().outbox.unsentCount() === 0, 'the outbox marked sent');
  }, 60_000);

  it('refused credentials: auth_failed, shown as such, retried slowly, no tight loop', async () => {
    const broker = await startMosquitto({ extraConfig: ['allow_anonymous false', 'password_file /dev/null'] });
    // Anonymous clients refused: the CONNACK says not authorised.
    const t = await station(broker);
    const field = t.station.running().field;
    const state = await waitFor(
      () => (field.link.state.status === 'auth_failed' ? field.link.state : null),
      'auth_failed',
    );
    const sweeps = alarmSweeps(t.station);
    expect(Date.parse(state.nextAttemptAt) - Date.now()).toBeGreaterThan(25_000);
    expect(t.station.health.get().details.mqtt.reason).toMatch(/refused the credentials/);
    // At least two seconds of the station's own timers: a retry on any short schedule would have run.
    await sweeps.more(3, 'no retry meanwhile');
    expect(field.link.attempts).toBe(1);
  }, 90_000);
});

describe('durable acknowledgement', () => {
  it('the broker gets no PUBACK for a message before its row is committed', async () => {
    const aedes = await Aedes.createBroker();
    const server = net.createServer((s) => aedes.handle(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    cleanups.push(async () => {
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    });
    const t = await station({ url });
    await online(t);
    const dataDir = path.dirname(t.station.running().store.db.name);
    const violations: string[] = [];
    let acked = 0;
    aedes.on('ack', (packet, client) => {
      if (!packet || client?.id !== 'plainview-north-ws-1' || !('topic' in packet) || !packet.topic.endsWith('/sample'))
        return;
      acked++;
      const ts = Date.parse((JSON.parse(packet.payload.toString()) as { ts: string }).ts);
      if (
        !storedSamples(dataDir, (p) => p === 'p-1')
          .get('p-1')
          ?.has(ts)
      )
        violations.push(`acked before commit: ${ts}`);
    });
    const pub = await mqtt.connectAsync(url, { protocolVersion: 4 });
    cleanups.push(() => pub.endAsync(true));
    // Recent samples: older ones would be raw history past its retention and pruned.
    const base = Date.now() - 3_600_000;
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        pub.publishAsync(
          topics.telemetry('north', 'gw-1', 'p-1'),
          JSON.stringify({ v: 2, ts: new Date(base + i).toISOString(), value: i }),
          { qos: 1 },
        ),
      ),
    );
    await waitFor(() => acked === 500, 'every PUBACK');
    expect(violations).toEqual([]);
  }, 90_000);
});
