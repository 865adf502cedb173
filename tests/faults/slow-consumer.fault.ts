import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { topics } from '../../src/shared/protocol';
import { freePort, startMosquitto } from '../helpers/brokers';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { scale } from './lib/mode';
import { SamplePublisher } from './lib/publisher';
import { report } from './lib/report';
import { spawnStation, type StationProc } from './lib/station-proc';
import { Cleanups, fmt, sleep } from './lib/util';

/** Slow SSE clients opened one after the other, each left open and never read. */
const CLIENTS = scale(6, 30);
const STALL_MS = scale(10_000, 40_000);
/** What the station's live memory may grow by while its consumers stall. */
const GROWTH_LIMIT_MB = 24;
const cleanups = new Cleanups();
afterAll(() => cleanups.run());

interface Status {
  ingest: { written_samples: number; dropped_samples: number };
  api: { streams: number; listening: string[] };
}
const status = async (p: StationProc) => (await p.call('system.status')).value as Status;
/** Live memory after a garbage collection: the heap in use and buffers outside it. */
const liveMb = async (p: StationProc) => {
  const m = await p.memory();
  return (m.heapUsed + m.external) / 1024 / 1024;
};

/** Opens GET /events and never reads a byte: the socket's buffers fill, then the server's. */
function stalledStream(port: number, key: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/events', headers: { 'X-API-Key': key } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET /events: ${res.statusCode}`));
      res.pause();
      res.socket.pause();
      resolve(res.socket);
    });
    req.on('error', reject);
  });
}

it('slow consumers (SSE clients that stop reading, a push subscriber that stalls): memory bounded, ingest goes on', async () => {
  const broker = await startMosquitto({
    extraConfig: ['max_queued_messages 0', 'max_queued_bytes 0', 'max_inflight_messages 1000'],
  });
  const port = await freePort();
  const proc = spawnStation({
    PLAINVIEW_DATA_DIR: path.join(tempDir('plainview-fault-slow-'), 'data'),
    PLAINVIEW_MQTT_URL: broker.url,
    PLAINVIEW_MQTT_PROTOCOL_VERSION: '5',
    PLAINVIEW_SITE_ID: 'north',
    PLAINVIEW_STATION_ID: 'ws-1',
    PLAINVIEW_LOG_LEVEL: 'info',
    PLAINVIEW_API_ENABLED: 'true',
    PLAINVIEW_API_PORT: String(port),
  });
  cleanups.add(() => proc.kill());
  await proc.ready;
  const key = (await proc.op('apikey')) as string;
  await waitFor(async () => (await status(proc)).api.listening.length > 0, 'the API listening');

  // The field changes constantly: 400 valves moving (what the stream carries) and telemetry.
  const field = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  cleanups.add(() => field.endAsync(true));
  let moving = true;
  const name = 'Valve with a long descriptive name for the operators '.repeat(3);
  const mover = (async () => {
    for (let i = 0; moving; i++) {
      const sends: Promise<unknown>[] = [];
      for (let j = 0; j < 50; j++) {
        const v = (i * 50 + j) % 400;
        const body = {
          v: 2,
          ts: new Date().toISOString(),
          gateway: 'gw-1',
          name: `${name}${v}`,
          segment: 'seg-1',
          state: 'opening',
          position: (i + j) % 100,
          quality: 'good',
          localControl: false,
        };
        sends.push(field.publishAsync(topics.valveState('north', 'gw-1', `v-${v}`), JSON.stringify(body), { qos: 0 }));
      }
      await Promise.all(sends);
      await sleep(25);
    }
  })();
  cleanups.add(async () => {
    moving = false;
    await mover;
  });
  const pub = new SamplePublisher({ url: broker.url, rate: 500 });
  cleanups.add(() => pub.close());
  pub.start();
  // Steady state before the baseline: every one of the 400 valves seen a few times, and samples in the store.
  await waitFor(
    async () => {
      const s = (await proc.call('system.status')).value as {
        ingest: Status['ingest'] & { accepted: Record<string, number> };
      };
      return (s.ingest.accepted.valve_state ?? 0) >= 2000 && s.ingest.written_samples >= 1000;
    },
    'the field traffic under way',
    60_000,
    250,
  );
  const baseline = await liveMb(proc);
  const before = await status(proc);

  // SSE clients that stop reading, one after the other: each is dropped, none is buffered for.
  const sockets: net.Socket[] = [];
  cleanups.add(() => sockets.forEach((s) => s.destroy()));
  let dropped = 0;
  const problems: string[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    sockets.push(await stalledStream(port, key));
    await waitFor(async () => (await status(proc)).api.streams === 1, 'the stream open', 10_000);
    const gone = await waitFor(async () => (await status(proc)).api.streams === 0, 'the stream dropped', 60_000).then(
      () => true,
      () => false,
    );
    if (gone) dropped++;
    else {
      problems.push(`stalled client ${i + 1} was never dropped`);
      break;
    }
  }
  const afterSse = await liveMb(proc);

  // A push subscriber that stalls (holds the event loop 40 ms on every batch).
  await proc.op('stall', { ms: 40 });
  const stallStart = await status(proc);
  const stalledAt = Date.now();
  // The stall lasts STALL_MS, and until a second's worth of samples (500) went through it.
  await waitFor(
    async () =>
      Date.now() - stalledAt >= STALL_MS &&
      (await status(proc)).ingest.written_samples >= stallStart.ingest.written_samples + 500,
    'samples written through the stall',
    STALL_MS + 60_000,
    500,
  ).catch(() => undefined);
  const stallEnd = await status(proc);
  const afterStall = await liveMb(proc);
  moving = false;
  await mover;
  await pub.stop();
  const writtenDuringStall = stallEnd.ingest.written_samples - stallStart.ingest.written_samples;
  const growth = Math.max(afterSse, afterStall) - baseline;
  if (writtenDuringStall <= 0) problems.push('no sample was written while the subscriber stalled');
  if (stallEnd.ingest.dropped_samples > before.ingest.dropped_samples) problems.push('samples were dropped');
  if (growth > GROWTH_LIMIT_MB) problems.push(`live memory grew by ${growth.toFixed(0)} MB`);
  // A dropped client must leave nothing behind (each stalled stream had over 1 MiB waiting).
  const perClient = (afterSse - baseline) / CLIENTS;
  if (perClient > 0.4) problems.push(`each dropped client left ${perClient.toFixed(2)} MB behind`);
  // Everything the broker acknowledged is stored, stall or not.
  await waitFor(async () => (await status(proc)).ingest.written_samples >= before.ingest.written_samples, 'writes');
  report(
    9,
    'slow-consumer',
    `slow consumers: ${dropped}/${CLIENTS} SSE clients that stopped reading dropped (${Math.max(0, perClient).toFixed(2)} MB left per client), ` +
      `a push subscriber stalling 40 ms per batch for ${STALL_MS / 1000} s: ${fmt(writtenDuringStall)} samples written meanwhile, ` +
      `0 dropped; station live memory ${baseline.toFixed(0)} → at most ${Math.max(afterSse, afterStall).toFixed(0)} MB (limit +${GROWTH_LIMIT_MB} MB)`,
    problems.length === 0,
  );
  expect(problems).toEqual([]);
}, 600_000);
