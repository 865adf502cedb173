import path from 'node:path';
import http from 'node:http';
import net from 'node:net';
import mqtt from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { IpcRouter } from '../../src/main/ipc/router';
import { APP_INDEX_URL } from '../../src/main/shell/protocol';
import { trustedSender } from '../../src/main/shell/window';
import { channelNames } from '../../src/shared/ipc/channels';
import { contract } from '../../src/shared/ipc/contract';
import { topics } from '../../src/shared/protocol';
import { freePort, startMosquitto } from '../helpers/brokers';
import { countSamples } from '../helpers/history';
import { testStation } from '../helpers/station';
import { waitFor } from '../helpers/wait';
import { scale } from './lib/mode';
import { report } from './lib/report';
import { Cleanups, fmt } from './lib/util';

const N = process.env.PLAINVIEW_FAULTS_GARBAGE_N ? Number(process.env.PLAINVIEW_FAULTS_GARBAGE_N) : null;
const MQTT_N = N ?? scale(20_000, 100_000);
const IPC_N = N ?? scale(20_000, 100_000);
const HTTP_N = N ?? scale(10_000, 100_000);
const phase = (what: string, since: number) =>
  process.stdout.write(`  garbage: ${what} in ${((Date.now() - since) / 1000).toFixed(1)} s\n`);
const cleanups = new Cleanups();
afterAll(() => cleanups.run());

// A seeded generator: a failing run can be replayed.
let seed = Number(process.env.PLAINVIEW_FAULTS_SEED ?? Date.now() % 1_000_000);
const SEED = seed;
const rnd = () => (seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32;
const int = (n: number) => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const text = (n: number) =>
  Array.from({ length: n }, () => String.fromCodePoint(pick([32 + int(95), int(0xd7ff), 0x1f4a9, 0, 0xfeff]))).join('');

/** Any JSON-ish value: scalars, big strings, deep nesting, hostile keys. */
function junk(depth = 0): unknown {
  switch (int(depth > 6 ? 6 : 10)) {
    case 0:
      return undefined;
    case 1:
      return null;
    case 2:
      return pick([true, false, 0, -1, 1e308, -0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53 + 1]);
    case 3:
      return text(int(40));
    case 4:
      return int(20) === 0 ? 'x'.repeat(100_000) : text(int(300));
    case 5:
      return pick(['', ' ', 'v-101', '00000000-0000-0000-0000-000000000000', '../../etc/passwd', '%00', '<script>']);
    case 6:
    case 7:
      return Array.from({ length: int(5) }, () => junk(depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < int(6); i++)
        o[pick(['__proto__', 'constructor', 'id', 'ids', 'valveId', 'action', 'minutes', 'title', text(8)])] = junk(
          depth + 1,
        );
      return o;
    }
  }
}

/** Text a broker takes in a topic level: no wildcards, no separator, no control characters. */
const topicText = (n: number) =>
  [...text(n)].map((c) => (c.codePointAt(0)! < 0x20 || /[#+/\u007f-\u009f]/.test(c) ? '_' : c)).join('') || 'x';

function mqttGarbage(): { topic: string; payload: Buffer } {
  const id = pick(['v-1', 'p-1', topicText(10), 'a'.repeat(200)]);
  const topic = pick([
    topics.valveState('north', 'gw-1', id),
    topics.telemetry('north', 'gw-1', id),
    topics.alert('north', id),
    topics.site('north'),
    topics.pointMeta('north', 'gw-1', id),
    topics.stationEvents('north', 'ws-9'),
    topics.alarmSnapshot('north', 'ws-9', id),
    // Under a station's subscription, but no valve id a station takes (protocol v2 has no `#` subscription).
    `plainview/v2/north/gateways/${topicText(6)}/valves/${topicText(3).toUpperCase()}/state`,
  ]);
  const kind = int(9);
  const payload =
    kind === 0
      ? Buffer.from(Array.from({ length: 1 + int(400) }, () => int(256)))
      : kind === 1
        ? Buffer.from(`{"v":2,${text(20)}`)
        : kind === 2
          ? Buffer.from(JSON.stringify({ v: pick([0, 1, '2', null]), ts: new Date().toISOString(), value: 1 }))
          : kind === 3
            ? Buffer.from(JSON.stringify({ v: 2, ts: pick(['now', '', 12]), value: junk(), state: junk() }))
            : kind === 4
              ? Buffer.from('x'.repeat(64 * 1024 + 1 + int(1000)))
              : kind === 5
                ? Buffer.from(`${'['.repeat(3000)}${']'.repeat(3000)}`)
                : kind === 6
                  ? Buffer.from(JSON.stringify(junk()) ?? 'undefined')
                  : kind === 7
                    ? Buffer.alloc(0)
                    : Buffer.from(JSON.stringify({ v: 2, id: text(5), type: junk(), station: 5, ts: 'x', body: 1 }));
  return { topic, payload };
}

it(`garbage everywhere (${fmt(MQTT_N)} MQTT, ${fmt(IPC_N)} IPC, ${fmt(HTTP_N)} HTTP): the station stays up, each refused and counted, valid traffic served`, async () => {
  const broker = await startMosquitto({
    extraConfig: ['max_queued_messages 0', 'max_queued_bytes 0', 'max_inflight_messages 1000'],
  });
  const apiPort = await freePort();
  const t = testStation({
    PLAINVIEW_MQTT_URL: broker.url,
    PLAINVIEW_MQTT_PROTOCOL_VERSION: '5',
    PLAINVIEW_LOG_LEVEL: 'warn',
    PLAINVIEW_API_ENABLED: 'true',
    PLAINVIEW_API_PORT: String(apiPort),
  });
  await t.station.start();
  cleanups.add(() => t.station.stop());
  const r = t.station.running();
  await waitFor(() => r.field.link.online, 'online', 30_000);
  const problems: string[] = [];

  // ---- MQTT: garbage on the station's own topics, a valid sample every 50th message.
  let started = Date.now();
  const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  cleanups.add(() => pub.endAsync(true));
  const rejectedBefore = r.field.counters.totalRejected();
  const base = Date.now();
  let valid = 0;
  for (let i = 0; i < MQTT_N; i += 1000) {
    const sends: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(MQTT_N, i + 1000); j++) {
      const g = mqttGarbage();
      sends.push(pub.publishAsync(g.topic, g.payload, { qos: 1 }));
      if (j % 50 === 0) {
        const body = { v: 2, ts: new Date(base + valid).toISOString(), value: valid, quality: 'good' };
        sends.push(pub.publishAsync(topics.telemetry('north', 'gw-1', 'p-valid'), JSON.stringify(body), { qos: 1 }));
        valid++;
      }
    }
    await Promise.all(sends);
  }
  const samples = () => countSamples(path.dirname(r.store.db.name), (p) => p === 'p-valid');
  await waitFor(
    () => r.field.counters.totalRejected() - rejectedBefore >= MQTT_N && samples() === valid,
    'MQTT',
    120_000,
  ).catch(() => undefined);
  const mqttRejected = r.field.counters.totalRejected() - rejectedBefore;
  if (mqttRejected !== MQTT_N) problems.push(`MQTT: ${mqttRejected} of ${MQTT_N} counted as rejected`);
  if (samples() !== valid) problems.push(`MQTT: ${samples()} of ${valid} valid samples stored`);

  phase('MQTT', started);
  // ---- IPC: through the router the console's calls take, each garbage call refused by code.
  started = Date.now();
  const router = new IpcRouter(t.station.handlers, trustedSender(APP_INDEX_URL), t.station.log.child('ipc'));
  const expected = new Map<string, number>();
  const got = new Map<string, number>();
  let servedIpc = 0;
  let validIpc = 0;
  for (let i = 0; i < IPC_N; i++) {
    const kind = int(10);
    let channel: unknown;
    let input: unknown;
    let sender = APP_INDEX_URL;
    let code: string;
    if (kind === 0) {
      channel = pick([text(12), '', 'health.get ', 'HEALTH.GET', '__proto__', 'constructor', 42, null, {}]);
      if (typeof channel === 'string' && (channelNames as readonly string[]).includes(channel)) channel = `${channel}!`;
      code = 'unknown_channel';
    } else if (kind === 1) {
      channel = pick(channelNames);
      sender = pick(['file:///etc/passwd', 'https://evil.example', 'app://plainview.evil/', '', 'null', text(20)]);
      code = 'forbidden_sender';
    } else {
      channel = pick(channelNames);
      const spec = contract[channel as keyof typeof contract];
      let tries = 0;
      do input = junk();
      while (spec.input.safeParse(input).success && ++tries < 20);
      if (spec.input.safeParse(input).success) input = Symbol('never valid');
      code = 'invalid_input';
    }
    expected.set(code, (expected.get(code) ?? 0) + 1);
    const answer = await router.dispatch(channel, input, sender);
    const c = answer.ok ? 'ok' : answer.refusal.code;
    got.set(c, (got.get(c) ?? 0) + 1);
    if (i % 50 === 0) {
      validIpc++;
      const ok = await Promise.all([
        router.dispatch('health.get', undefined, APP_INDEX_URL),
        router.dispatch('valves.list', undefined, APP_INDEX_URL),
        router.dispatch('alarms.list', undefined, APP_INDEX_URL),
      ]);
      if (ok.every((a) => a.ok)) servedIpc++;
    }
  }
  const stats = router.stats();
  for (const [code, n] of expected) {
    if (got.get(code) !== n) problems.push(`IPC: ${got.get(code) ?? 0} ${code} answers for ${n} such calls`);
    if (stats[code] !== n) problems.push(`IPC: ${stats[code] ?? 0} counted ${code} for ${n}`);
  }
  if (got.get('internal') || got.get('ok')) problems.push(`IPC: ${JSON.stringify(Object.fromEntries(got))}`);
  if (servedIpc !== validIpc) problems.push(`IPC: ${servedIpc} of ${validIpc} valid rounds served`);

  phase('IPC', started);
  // ---- HTTP: requests a broken or hostile local program could send.
  started = Date.now();
  const { key: readKey } = r.apiKeys.create('fault-read', 'read');
  const { key: writeKey } = r.apiKeys.create('fault-write', 'write');
  const { key: validKey } = r.apiKeys.create('fault-valid', 'read');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  cleanups.add(() => agent.destroy());
  const request = (o: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string }) =>
    new Promise<number>((resolve) => {
      const req = http.request(
        { host: '127.0.0.1', port: apiPort, agent, method: o.method, path: o.path, headers: o.headers },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(-1));
      req.end(o.body);
    });
  const refusedBefore = Object.values(r.api.status().refused).reduce((a, b) => a + b, 0);
  const statuses = new Map<number, number>();
  let servedHttp = 0;
  let validHttp = 0;
  const host = { Host: `127.0.0.1:${apiPort}` };
  const garbageRequest = () => {
    switch (int(8)) {
      case 0:
        return { method: pick(['GET', 'POST', 'DELETE']), path: `/${text(int(60)).replace(/[^\x21-\x7e]/g, 'z')}` };
      case 1:
        return {
          method: pick(['PUT', 'PATCH', 'DELETE']),
          path: pick(['/valves', '/alarms', '/health', '/incidents']),
        };
      case 2:
        return { method: 'GET', path: pick(['/valves', '/alarms', '/incidents', '/points']) };
      case 3:
        return {
          method: 'GET',
          path: '/valves',
          headers: { 'X-API-Key': pick(['', 'nope', text(30).replace(/[^\x21-\x7e]/g, 'k')]) || 'x' },
        };
      case 4:
        return {
          method: 'GET',
          path: '/health',
          headers: { Host: pick(['evil.example', 'localhost.evil:1', '10.0.0.1']) },
        };
      case 5:
        return { method: 'GET', path: '/health', headers: { ...host, Origin: pick(['https://evil.example', 'null']) } };
      case 6:
        return { method: 'GET', path: `/valves?key=${readKey}` };
      default:
        return {
          method: 'POST',
          path: pick(['/incidents', '/alarms/acknowledge', '/actuation/select']),
          headers: {
            'X-API-Key': writeKey,
            'Content-Type': pick(['application/json', 'text/plain', 'application/xml']),
          },
          body: pick([
            JSON.stringify(junk()) ?? '',
            `{"title":${text(10)}`,
            'x'.repeat(70 * 1024),
            Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
          ]),
        };
    }
  };
  for (let i = 0; i < HTTP_N; i += 16) {
    const batch = Array.from({ length: Math.min(16, HTTP_N - i) }, () => {
      const g = garbageRequest();
      return request({ ...g, headers: { ...host, ...g.headers } as Record<string, string> });
    });
    for (const s of await Promise.all(batch)) statuses.set(s, (statuses.get(s) ?? 0) + 1);
    if (i % 2000 === 0) {
      validHttp++;
      const [health, valves] = await Promise.all([
        request({ method: 'GET', path: '/health', headers: host }),
        request({ method: 'GET', path: '/valves', headers: { ...host, 'X-API-Key': validKey } }),
      ]);
      if (health === 200 && valves === 200) servedHttp++;
    }
  }
  const refusedHttp = Object.values(r.api.status().refused).reduce((a, b) => a + b, 0) - refusedBefore;
  // Bytes that are not HTTP at all: answered 400 by the server, then closed.
  let raw = 0;
  for (let i = 0; i < scale(50, 500); i++) {
    await new Promise<void>((resolve) => {
      const s = net.connect(apiPort, '127.0.0.1', () => s.end(Buffer.from(mqttGarbage().payload.subarray(0, 200))));
      s.on('data', () => undefined);
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    raw++;
  }
  phase('HTTP', started);
  const bad = [...statuses].filter(([s]) => s < 400 || s >= 500);
  if (bad.length) problems.push(`HTTP: answers outside 4xx: ${JSON.stringify(Object.fromEntries(bad))}`);
  if (refusedHttp !== HTTP_N) problems.push(`HTTP: ${refusedHttp} of ${HTTP_N} counted as refused`);
  if (servedHttp !== validHttp) problems.push(`HTTP: ${servedHttp} of ${validHttp} valid rounds served`);
  const finalHealth = await request({ method: 'GET', path: '/health', headers: host });
  if (finalHealth !== 200) problems.push(`HTTP: /health answers ${finalHealth} after the storm`);
  if (!r.field.link.online) problems.push('the field link went down');

  report(
    10,
    'garbage',
    `garbage (seed ${SEED}): MQTT ${fmt(mqttRejected)}/${fmt(MQTT_N)} rejected and counted, ${samples()}/${valid} valid samples stored; ` +
      `IPC ${fmt(IPC_N - (got.get('ok') ?? 0) - (got.get('internal') ?? 0))}/${fmt(IPC_N)} refused by code (${[
        ...expected,
      ]
        .map(([c, n]) => `${c} ${fmt(n)}`)
        .join(', ')}), 0 internal, ${servedIpc}/${validIpc} valid rounds served; ` +
      `HTTP ${fmt(refusedHttp)}/${fmt(HTTP_N)} refused 4xx and counted (${[...statuses]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}), ${raw} raw non-HTTP connections, ${servedHttp}/${validHttp} valid rounds served; station up`,
    problems.length === 0,
  );
  expect(problems).toEqual([]);
}, 1_800_000);
