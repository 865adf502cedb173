import { afterAll, expect, it } from 'vitest';
import { createLogger } from '../../src/main/log';
import { FieldSimulator } from '../../src/main/sim';
import { startBlackholeProxy } from '../helpers/blackhole-proxy';
import { startMosquitto } from '../helpers/brokers';
import { waitFor } from '../helpers/wait';
import { FULL } from './lib/mode';
import { linkStation } from './lib/link-station';
import { report } from './lib/report';
import { Cleanups } from './lib/util';

const KEEPALIVE_S = 4;
/**
 * Full mode waits until the ceiling of the schedule, min(60 s, 1 s·2^n), has been 60 s for
 * three attempts (n = 7, 8, 9: uncapped ceilings of 128 to 512 s); fast mode looks at the
 * first attempts only.
 */
const OFFLINE_STATES = FULL ? 10 : 3;
/** mqtt.js gives up on a connection after 1.5 keepalives; the timer ticks every half keepalive. */
const SLACK_MS = 1000;
const quiet = createLogger({ level: 'error', json: true, sinks: [] });
const cleanups = new Cleanups();
afterAll(() => cleanups.run());

it('link blackholed (a proxy that stops forwarding without closing): offline within 1.5× keepalive, stale, commands refused, backoff capped at 60 s', async () => {
  const broker = await startMosquitto();
  const proxy = await startBlackholeProxy(broker.port);
  cleanups.add(() => proxy.close());
  const sim = new FieldSimulator({
    brokerUrl: broker.url,
    site: 'north',
    log: quiet,
    demo: false,
    valves: 3,
    rate: 20,
  });
  await sim.start();
  cleanups.add(() => sim.stop());
  const { t, field, states } = await linkStation(cleanups, {
    PLAINVIEW_MQTT_URL: `mqtt://127.0.0.1:${proxy.port}`,
    PLAINVIEW_MQTT_KEEPALIVE_SEC: String(KEEPALIVE_S),
  });
  await waitFor(
    () => field.link.online && field.state.valveList().length === 3 && field.state.valveList()[0]!.quality === 'good',
    'online with fresh valves',
    30_000,
  );
  await waitFor(() => [...field.state.points.values()].length > 0, 'points');

  const problems: string[] = [];
  const holedAt = Date.now();
  proxy.blackhole();
  await waitFor(() => field.link.state.status === 'offline', 'offline', 60_000, 10);
  const detectMs = Date.now() - holedAt;
  const limitMs = 1.5 * KEEPALIVE_S * 1000;
  if (detectMs > limitMs + SLACK_MS) problems.push(`offline after ${detectMs} ms (limit ${limitMs} ms)`);
  if (!field.state.valveList().every((v) => v.quality === 'stale')) problems.push('a valve not stale');
  if (![...field.state.points.keys()].every((id) => field.state.pointView(id)!.quality === 'stale'))
    problems.push('a point not stale');
  const sel = await t.station.handlers['actuation.select'](
    { valveId: 'v-101', action: 'close' },
    { requestId: 'fault', senderUrl: 'app://plainview/' },
  );
  if (sel.ok || sel.refusal.code !== 'link_offline') problems.push('select not refused with link_offline');
  // Health answers from a cache at most a second old: give it the time to see the outage.
  const health = await waitFor(
    () => {
      const mqtt = t.station.health.get().details.mqtt;
      return mqtt.status === 'degraded' ? mqtt : null;
    },
    'health degraded',
    10_000,
  ).catch(() => t.station.health.get().details.mqtt);
  if (health.status !== 'degraded') problems.push(`health ${health.status}`);

  // Still blackholed: each attempt's TCP handshake succeeds, its CONNECT goes nowhere.
  const offline = () => states.filter(({ s }) => s.status === 'offline');
  await waitFor(() => offline().length >= OFFLINE_STATES, `${OFFLINE_STATES} attempts`, FULL ? 900_000 : 120_000, 100);
  let n = 0;
  let within = 0;
  let longest = 0;
  for (const { s, at } of offline().slice(0, OFFLINE_STATES)) {
    if (s.status !== 'offline') continue;
    const delay = Date.parse(s.nextAttemptAt) - at;
    const bound = Math.min(60_000, 1000 * 2 ** n);
    longest = Math.max(longest, delay);
    if (delay > bound + 5) problems.push(`retry ${n + 1}: ${delay} ms, bound ${bound} ms`);
    else within++;
    n++;
  }
  const attempts = field.link.attempts;

  proxy.heal();
  await waitFor(() => field.link.online, 'online after the heal', 120_000);
  await waitFor(() => field.state.valveList().every((v) => v.quality === 'good'), 'fresh again', 30_000);

  const ok = problems.length === 0;
  report(
    3,
    'blackhole',
    `link blackholed (keepalive ${KEEPALIVE_S} s): offline after ${(detectMs / 1000).toFixed(1)} s ` +
      `(limit ${limitMs / 1000} s), every value stale, select refused (link_offline), ${within}/${n} retries within ` +
      `min(60 s, 1 s·2^n)` +
      (FULL
        ? `, the ceiling at 60 s from retry 7 on (longest ${(longest / 1000).toFixed(1)} s)`
        : ' (60 s cap: full mode)') +
      `, ${attempts} attempts in all, online and fresh after the heal`,
    ok,
  );
  expect(problems).toEqual([]);
}, 1_200_000);
