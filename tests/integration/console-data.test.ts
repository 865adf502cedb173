import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHarness, type Harness } from '../../harness/server';
import type { ConsoleBatch } from '../../src/shared/console';
import { simulatedSite } from '../helpers/site';
import { read, readLater } from '../helpers/station';
import { waitFor } from '../helpers/wait';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function site(opts: { rate?: number; env?: Record<string, string> } = {}) {
  const { broker, t, sim } = await simulatedSite(cleanups, { env: opts.env, rate: opts.rate ?? 50 });
  const batches: ConsoleBatch[] = [];
  cleanups.push(async () => unsubscribe());
  const unsubscribe = t.station.running().push.subscribe((b) => batches.push(b));
  await waitFor(() => t.station.running().field.link.online, 'online');
  return { broker, t, sim, batches };
}

describe('what the console is fed', () => {
  it('coalesces: far fewer batches than MQTT messages, each with the latest of what changed', async () => {
    const { t, batches } = await site({ rate: 400 });
    const field = t.station.running().field;
    // Every valve pushed (the retained states may arrive over more than one tick on a busy machine).
    await waitFor(() => new Set(batches.flatMap((b) => b.valves.map((v) => v.id))).size === 12, 'every valve pushed');
    const before = {
      batches: batches.length,
      samples: field.counters.snapshot().accepted.telemetry ?? 0,
      at: Date.now(),
    };
    const sentSince = () => batches.length - before.batches;
    const samplesSince = () => (field.counters.snapshot().accepted.telemetry ?? 0) - before.samples;
    // Traffic until the station has taken over 400 samples and sent a few batches, however long
    // that takes on this machine; the batches are then counted against the time it took.
    await waitFor(() => samplesSince() > 400 && sentSince() > 5, 'over 400 samples and a few batches', 20_000);
    const elapsedMs = Date.now() - before.at;
    const sent = sentSince();
    const samples = samplesSince();
    expect(samples).toBeGreaterThan(400);
    // At most one batch per 50 ms tick, whatever the message rate.
    expect(sent).toBeLessThanOrEqual(elapsedMs / 50 + 2);
    expect(sent).toBeGreaterThan(5);
    // Coalesced: a point appears at most once in a batch, with its latest value at that moment.
    for (const b of batches) expect(new Set(b.points.map((p) => p.id)).size).toBe(b.points.length);
    expect(new Set(batches.map((b) => b.seq)).size).toBe(batches.length);
  }, 90_000);

  it('pushes a value going stale by age alone, and the link going down', async () => {
    const { t, sim, batches, broker } = await site({ rate: 30, env: { PLAINVIEW_STALE_AFTER_SEC: '1' } });
    await waitFor(() => batches.some((b) => b.points.some((p) => p.quality === 'good')), 'good points');
    await sim.stop();
    await waitFor(
      () => batches.some((b) => b.points.some((p) => p.quality === 'stale')),
      'a stale point pushed',
      20_000,
    );

    const n = batches.length;
    await broker.kill();
    const down = await waitFor(
      () => batches.slice(n).find((b) => b.link && b.link.status !== 'online'),
      'link down pushed',
    );
    expect(down.valves).toHaveLength(12);
    expect(down.valves.every((v) => v.quality === 'stale')).toBe(true);
    void t;
  }, 90_000);

  it('serves the lists, a valve with its points, trends and the system status', async () => {
    const { t } = await site({ rate: 200 });
    await waitFor(() => (read(t, 'valves.list') as unknown[]).length === 12, 'valves');
    const detail = read(t, 'valves.get', { id: 'v-101' }) as { valve: { id: string }; points: { kind: string }[] };
    expect(detail.valve.id).toBe('v-101');
    expect(new Set(detail.points.map((p) => p.kind))).toEqual(new Set(['pressure', 'flow', 'position']));
    expect(read(t, 'valves.get', { id: 'v-999' })).toBeNull();
    expect(read(t, 'site.get')).toMatchObject({ id: 'north', demo: false, segments: [{ seq: 1 }, { seq: 2 }] });

    const point = detail.points.find((p) => p.kind === 'pressure') as unknown as { id: string };
    await waitFor(
      async () =>
        ((await readLater(t, 'trends.get', { pointId: point.id, range: '1h' })) as { t: number[] }).t.length >= 3,
      'raw trend',
    );
    // Long ranges come from one-minute rollups.
    // Rows of schema v8 (not yet moved into history files), on whole minutes as rollups are.
    const db = t.station.running().store.db;
    const now = Date.now() - (Date.now() % 60_000);
    db.prepare('INSERT INTO telemetry_rollups VALUES (?, ?, 1, 3, 2, 2, 10)').run(point.id, now - 3 * 3_600_000);
    db.prepare('INSERT INTO telemetry_rollups VALUES (?, ?, 1, 3, 2, 2, 10)').run(point.id, now - 30 * 3_600_000);
    type Rolled = { source: string; t: number[]; v: number[]; min: number[]; max: number[] };
    // The station's own rollups of the last minutes may be there too (a minute may end meanwhile).
    const day = (await readLater(t, 'trends.get', { pointId: point.id, range: '24h' })) as Rolled;
    expect(day.source).toBe('rollup');
    const at = day.t.indexOf(now - 3 * 3_600_000);
    expect(at).toBeGreaterThanOrEqual(0);
    expect([day.v[at], day.min[at], day.max[at]]).toEqual([2, 1, 3]);
    expect(day.t).not.toContain(now - 30 * 3_600_000);
    const week = (await readLater(t, 'trends.get', { pointId: point.id, range: '7d' })) as Rolled;
    expect(week.t).toEqual(expect.arrayContaining([now - 30 * 3_600_000, now - 3 * 3_600_000]));

    const status = read(t, 'system.status') as {
      link: { status: string };
      ingest: { accepted: Record<string, number> };
      database: { sizeBytes: number };
    };
    expect(status.link.status).toBe('online');
    expect(status.ingest.accepted.valve_state).toBeGreaterThanOrEqual(12);
    expect(status.database.sizeBytes).toBeGreaterThan(0);
  }, 90_000);
});

describe('the browser harness', () => {
  async function harness(): Promise<Harness> {
    const h = await startHarness({ env: {} });
    cleanups.push(() => h.close());
    return h;
  }

  const get = (url: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) =>
      http
        .get(url, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject),
    );

  function connect(url: string, origin: string): Promise<WebSocket | number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url, { origin });
      ws.on('open', () => resolve(ws));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
  }

  it('listens on loopback only, serves the console with the bridge, and refuses what is not ours', async () => {
    const h = await harness();
    const u = new URL(h.url);
    expect(u.hostname).toBe('127.0.0.1');
    const page = await get(h.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="/__harness/client.js"></script>');
    expect((await get(`${u.origin}/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await get(`${u.origin}/%2e%2e/%2e%2e/package.json`)).status).toBe(404);

    const token = u.searchParams.get('token')!;
    const ws = `ws://${u.host}/__harness/ws?token=`;
    expect(await connect(`${ws}wrong`, u.origin)).toBe(403);
    expect(await connect(`${ws}${token}`, 'http://evil.example')).toBe(403);
    const good = await connect(`${ws}${token}`, u.origin);
    expect(good).toBeInstanceOf(WebSocket);
    const socket = good as WebSocket;
    const reply = new Promise<unknown>((resolve) =>
      socket.on('message', (d) => {
        const m = JSON.parse(String(d)) as { id?: number; result?: unknown };
        if (m.id === 1) resolve(m.result);
      }),
    );
    socket.send(JSON.stringify({ id: 1, channel: 'app.info' }));
    expect(await reply).toMatchObject({ ok: true, value: { siteId: 'demo', demo: true } });
    socket.close();
  }, 90_000);
});
