import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FieldSimulator } from '../../src/main/sim';
import { simulatedSite } from '../helpers/site';
import { freePort, request } from '../helpers/http';
import type { TestStation } from '../helpers/station';
import { waitFor } from '../helpers/wait';
import { routes, type RouteKey } from '../../src/shared/api/routes';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

interface Site {
  t: TestStation;
  port: number;
  sim: FieldSimulator;
  read: string;
  write: string;
  call: (method: string, path: string, o?: Parameters<typeof request>[3]) => ReturnType<typeof request>;
}

/** A station with the API on, a simulated field, and a read and a write key. */
async function site(env: Record<string, string> = {}): Promise<Site> {
  const port = await freePort();
  const { t, sim } = await simulatedSite(cleanups, {
    env: { PLAINVIEW_API_ENABLED: 'true', PLAINVIEW_API_PORT: String(port), PLAINVIEW_VALVE_COOLDOWN_SEC: '0', ...env },
    strokeMs: 200,
  });
  await waitFor(() => t.station.running().field.state.valveList().length === 12, 'the valves');
  const keys = t.station.running().apiKeys;
  const read = keys.create('historian', 'read').key;
  const write = keys.create('scada-bridge', 'write').key;
  return { t, port, sim, read, write, call: (method, p, o) => request(port, method, p, o) };
}

const withKey = (key: string, extra: Record<string, string> = {}) => ({ 'x-api-key': key, ...extra });

describe('the loopback HTTP API', () => {
  it('the seed’s checks: health answers; actuate needs a write key; the 11th actuation in a minute is 429; every response has X-Request-ID', async () => {
    const s = await site();
    const health = await s.call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.json()).toMatchObject({
      status: expect.stringMatching(/^(ok|degraded|down)$/),
      checks: { database: 'ok', mqtt: expect.stringMatching(/^(ok|degraded|down)$/), event_bus: 'ok' },
      details: { database: { status: 'ok' }, mqtt: { status: expect.any(String) } },
      demo: false,
      uptime_sec: expect.any(Number),
      version: expect.any(String),
    });
    expect(health.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    expect((await s.call('POST', '/valves/v-101/actuate', { body: { action: 'close' } })).status).toBe(401);
    const readOnly = await s.call('POST', '/valves/v-101/actuate', {
      body: { action: 'close' },
      headers: withKey(s.read),
    });
    expect(readOnly.status).toBe(403);
    expect(readOnly.json()).toEqual({
      error: { code: 'read_only_key', message: expect.any(String), request_id: readOnly.headers['x-request-id'] },
    });

    // Select, then operate the same selection: the field closes the valve.
    const selected = await s.call('POST', '/valves/v-101/actuate', {
      body: { action: 'close' },
      headers: withKey(s.write),
    });
    expect(selected.status).toBe(200);
    const sel = selected.json() as { stage: string; selection: { id: string; operator: string }; confirm: unknown };
    expect(sel).toMatchObject({ stage: 'selected', selection: { operator: 'api:scada-bridge' } });
    const sent = await s.call('POST', '/valves/v-101/actuate', { body: sel.confirm, headers: withKey(s.write) });
    expect(sent.status).toBe(200);
    expect(sent.json()).toMatchObject({
      stage: 'sent',
      // Sent; on a fast link the field may have accepted it before the answer is built.
      command: {
        id: sel.selection.id,
        state: expect.stringMatching(/^(sent|accepted|completed)$/),
        operator: 'api:scada-bridge',
      },
    });
    await waitFor(() => s.t.station.running().field.state.valveView('v-101')?.state === 'closed', 'v-101 closed');

    // Eight more calls fit in the minute's ten; the eleventh is refused with when to retry.
    const answers = [];
    for (let i = 0; i < 9; i++)
      answers.push(
        await s.call('POST', '/valves/v-102/actuate', { body: { action: 'close' }, headers: withKey(s.write) }),
      );
    expect(answers.slice(0, 8).every((a) => a.status !== 429)).toBe(true);
    expect(answers[8]!.status).toBe(429);
    expect(Number(answers[8]!.headers['retry-after'])).toBeGreaterThan(0);
    expect((answers[8]!.json() as { error: { code: string } }).error.code).toBe('rate_limited');
    for (const a of [health, readOnly, selected, sent, ...answers]) expect(a.headers['x-request-id']).toBeTruthy();
  }, 60_000);

  it('a confirm must match its selection: another valve, another action or another key is refused', async () => {
    const s = await site();
    const other = s.t.station.running().apiKeys.create('other-bridge', 'write').key;
    const sel = (
      await s.call('POST', '/valves/v-103/actuate', { body: { action: 'open' }, headers: withKey(s.write) })
    ).json() as { selection: { id: string } };
    expect(sel, JSON.stringify(sel)).toHaveProperty('selection');
    const confirm = (valve: string, action: string, key: string) =>
      s.call('POST', `/valves/${valve}/actuate`, {
        body: { action, confirm: sel.selection.id },
        headers: withKey(key),
      });
    expect((await confirm('v-104', 'open', s.write)).json()).toMatchObject({ error: { code: 'selection_mismatch' } });
    expect((await confirm('v-103', 'close', s.write)).json()).toMatchObject({ error: { code: 'selection_mismatch' } });
    const stolen = await confirm('v-103', 'open', other);
    expect(stolen.status).toBe(409);
    expect(stolen.json()).toMatchObject({ error: { code: 'selection_not_yours' } });
    expect(s.t.station.running().field.state.valveView('v-103')?.state).toBe('closed');
    // The rightful confirm still works: nothing above used the selection up.
    expect((await confirm('v-103', 'open', s.write)).json()).toMatchObject({ stage: 'sent' });
  }, 60_000);

  it('a foreign Host or Origin is refused before any route runs; an allowed origin gets CORS; loopback only', async () => {
    const s = await site({ PLAINVIEW_CORS_ORIGINS: 'http://localhost:5173' });
    const incident = { title: 'Rebinding test', severity: 'low' };
    for (const o of [
      { host: 'evil.example' },
      { host: `evil.example:${s.port}` },
      { host: `127.0.0.1:${s.port + 1}` },
      { headers: withKey(s.write, { origin: 'https://evil.example' }) },
      { headers: withKey(s.write, { origin: 'null' }) },
    ]) {
      const r = await s.call('POST', '/incidents', { body: incident, headers: withKey(s.write), ...o });
      expect(r.status, JSON.stringify(o)).toBe(403);
      expect((r.json() as { error: { code: string } }).error.code).toMatch(/^(host|origin)_forbidden$/);
      expect(r.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(s.t.station.running().incidents.list()).toEqual([]); // no handler ran

    for (const host of [`localhost:${s.port}`, `[::1]:${s.port}`, `LOCALHOST:${s.port}`])
      expect((await s.call('GET', '/health', { host })).status, host).toBe(200);
    const preflight = await s.call('OPTIONS', '/incidents', { headers: { origin: 'http://localhost:5173' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/X-API-Key/i);
    const cors = await s.call('GET', '/valves', { headers: withKey(s.read, { origin: 'http://localhost:5173' }) });
    expect(cors.status).toBe(200);
    expect(cors.headers['access-control-allow-origin']).toBe('http://localhost:5173');

    expect(s.t.station.running().api.status().listening).toEqual([`127.0.0.1:${s.port}`]);
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (lan) await expect(request(s.port, 'GET', '/health', { address: lan })).rejects.toThrow(/ECONNREFUSED/);
  }, 60_000);

  it('asked for both loopback addresses, it listens on both, and on nothing else', async () => {
    const s = await site({ PLAINVIEW_API_BIND: '127.0.0.1,::1' });
    expect(s.t.station.running().api.status().listening).toEqual([`127.0.0.1:${s.port}`, `[::1]:${s.port}`]);
    const v6 = await request(s.port, 'GET', '/health', { address: '::1', host: `[::1]:${s.port}` });
    expect(v6.status).toBe(200);
  }, 60_000);

  it('bad requests get one error shape: 400 naming the field, 404, 405, 413, 415; a key in the URL is refused', async () => {
    const s = await site();
    const w = withKey(s.write);
    const shelve = await s.call('POST', '/pipeline/alerts/leak-seg-01/shelve', {
      body: { minutes: 'x', reason: 'r' },
      headers: w,
    });
    expect(shelve.status).toBe(400);
    expect(shelve.json()).toMatchObject({ error: { code: 'invalid_request', field: 'minutes' } });
    const extra = await s.call('POST', '/incidents', { body: { title: 't', severity: 'low', owner: 'x' }, headers: w });
    expect(extra.status).toBe(400);
    const badJson = await s.call('POST', '/incidents', {
      body: '{"title":',
      headers: { ...w, 'content-type': 'application/json' },
    });
    expect(badJson.json()).toMatchObject({ error: { code: 'invalid_json' } });
    expect((await s.call('GET', '/nope', { headers: w })).status).toBe(404);
    const wrongMethod = await s.call('DELETE', '/valves', { headers: w });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET');
    const big = await s.call('POST', '/incidents', {
      body: { title: 't', severity: 'low', description: 'x'.repeat(70_000) },
      headers: w,
    });
    expect(big.status).toBe(413);
    const text = await s.call('POST', '/incidents', {
      body: 'title=t',
      headers: { ...w, 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const inUrl = await s.call('GET', `/valves?api_key=${s.read}`);
    expect(inUrl.status).toBe(403);
    expect(inUrl.json()).toMatchObject({ error: { code: 'key_in_url' } });
    for (const r of [shelve, extra, badJson, wrongMethod, big, text, inUrl]) {
      const body = r.json() as { error: { code: string; message: string; request_id: string } };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error.request_id).toBe(r.headers['x-request-id']);
      expect(r.text).not.toMatch(/at .*\.(ts|js):\d+|node_modules|Error:/);
    }
    const refused = s.t.station.running().api.status().refused;
    expect(refused).toMatchObject({
      invalid_request: 2,
      invalid_json: 1,
      not_found: 1,
      method_not_allowed: 1,
      payload_too_large: 1,
      unsupported_media_type: 1,
      key_in_url: 1,
    });
  }, 60_000);

  it('a revoked key stops working at once; keys never appear in clear in the log or the database; failures are audited', async () => {
    const s = await site();
    expect((await s.call('GET', '/valves', { headers: withKey(s.read) })).status).toBe(200);
    s.t.station.running().apiKeys.revoke('historian');
    const revoked = await s.call('GET', '/valves', { headers: withKey(s.read) });
    expect(revoked.status).toBe(401);
    expect(revoked.json()).toMatchObject({ error: { message: expect.stringMatching(/revoked/) } });
    for (let i = 0; i < 5; i++)
      await s.call('GET', '/valves', { headers: withKey(`pv_0123456789ab_${'x'.repeat(43)}`) });
    const audited = s.t.station
      .running()
      .audit.list()
      .filter((e) => e.action === 'api.auth_failures');
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ result: 'refused', detail: { failures_in_window: 5 } });

    await s.t.station.stop();
    const db = fs.readFileSync(path.join(s.t.config.dataDir, 'plainview.db'));
    const wal = fs.existsSync(path.join(s.t.config.dataDir, 'plainview.db-wal'))
      ? fs.readFileSync(path.join(s.t.config.dataDir, 'plainview.db-wal'))
      : Buffer.alloc(0);
    for (const key of [s.read, s.write]) {
      expect(db.includes(key)).toBe(false);
      expect(wal.includes(key)).toBe(false);
      expect(s.t.lines.join('\n')).not.toContain(key);
      expect(s.t.lines.join('\n')).not.toContain(key.slice(-20));
    }
  }, 60_000);

  it('Server-Sent Events deliver a valve change the field makes', async () => {
    const s = await site();
    const events: string[] = [];
    const req = http.request({
      host: '127.0.0.1',
      port: s.port,
      path: '/events',
      headers: { host: `127.0.0.1:${s.port}`, 'x-api-key': s.read },
    });
    const opened = new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    req.end();
    const res = await opened;
    cleanups.push(async () => void res.destroy());
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    res.on('data', (c: Buffer) => events.push(c.toString()));
    s.sim.setLocalControl('v-105', true);
    await waitFor(
      () => /event: valves\n/.test(events.join('')) && /"id":"v-105"[^}]*"localControl":true/.test(events.join('')),
      'the change as an event',
    );
    expect(s.t.station.running().api.status().streams).toBe(1);
  }, 60_000);

  it('a storm of malformed requests leaves the station serving', async () => {
    const s = await site();
    const w = withKey(s.write);
    const junk: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const body = [
        '{',
        '[]',
        'null',
        '{"title": 5}',
        '"\u0000"',
        '{"severity":"low","title":"' + 'a'.repeat(300) + '"}',
      ][i % 6]!;
      junk.push(
        s.call('POST', i % 2 ? '/incidents' : '/incidents/x/update', {
          body,
          headers: { ...w, 'content-type': 'application/json' },
        }),
      );
      junk.push(s.call('GET', `/valves/${'%'.repeat(i % 5)}${i}?state=${i}`, { headers: w }));
    }
    junk.push(s.call('GET', '/health', { headers: { 'x-big': 'y'.repeat(20_000) } }).catch(() => 'cut'));
    junk.push(rawSocket(s.port, 'GARBAGE / HTTP/9.9\r\n\r\n'));
    junk.push(rawSocket(s.port, '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003')); // a TLS hello
    const answers = await Promise.all(junk);
    const statuses = answers
      .filter((a): a is { status: number } => typeof a === 'object' && a !== null && 'status' in a)
      .map((a) => a.status);
    expect(statuses.every((x) => x < 500 || x === 503)).toBe(true);
    expect((await s.call('GET', '/health')).status).toBe(200);
    expect((await s.call('GET', '/valves', { headers: withKey(s.read) })).status).toBe(200);
  }, 60_000);

  it('the request id follows the call into the audit log and the services’ log lines', async () => {
    const s = await site({ PLAINVIEW_JSON_LOGGING: 'true' });
    const created = await s.call('POST', '/incidents', {
      body: { title: 'Pressure drop KP 7', severity: 'high', valves: ['v-101'] },
      headers: withKey(s.write, { 'x-request-id': 'scada-trace-0001' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers['x-request-id']).toBe('scada-trace-0001');
    expect(created.json()).toMatchObject({ title: 'Pressure drop KP 7', createdBy: 'api:scada-bridge' });
    const entry = s.t.station
      .running()
      .audit.list()
      .find((e) => e.action === 'incident.create');
    expect(entry).toMatchObject({ actor: 'api:scada-bridge', requestId: 'scada-trace-0001' });
    const line = s.t.lines.find((l) => l.includes('POST /incidents - 201'));
    expect(JSON.parse(line!)).toMatchObject({
      request_id: 'scada-trace-0001',
      method: 'POST',
      path: '/incidents',
      status_code: 201,
      duration_ms: expect.any(Number),
    });
    const trace = withKey(s.write, { 'x-request-id': 'scada-trace-0002' });
    const sel = (
      await s.call('POST', '/valves/v-106/actuate', { body: { action: 'close' }, headers: trace })
    ).json() as {
      confirm: unknown;
    };
    await s.call('POST', '/valves/v-106/actuate', {
      body: sel.confirm,
      headers: withKey(s.write, { 'x-request-id': 'scada-trace-0003' }),
    });
    const sent = s.t.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === 'valve command sent');
    expect(sent).toMatchObject({ request_id: 'scada-trace-0003', valve: 'v-106', operator: 'api:scada-bridge' });
    const operate = s.t.station
      .running()
      .audit.list()
      .find((e) => e.action === 'actuation.operate');
    expect(operate).toMatchObject({ requestId: 'scada-trace-0003', actor: 'api:scada-bridge' });
    // A wild id is replaced, not echoed.
    const wild = await s.call('GET', '/health', { headers: { 'x-request-id': 'a b\u00e9<script>' } });
    expect(wild.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  }, 60_000);

  it('answers match the schemas the OpenAPI document publishes', async () => {
    const s = await site();
    s.sim.raiseLeak('seg-01');
    await waitFor(() => s.t.station.running().alarms.list().length > 0, 'an alarm');
    const created = (
      await s.call('POST', '/incidents', {
        body: { title: 'Schema check', severity: 'low' },
        headers: withKey(s.write),
      })
    ).json() as { id: string };
    const doc = (await s.call('GET', '/openapi.json')).json() as { openapi: string };
    expect(doc.openapi).toBe('3.1.0');
    const gets: [RouteKey, string][] = [
      ['GET /health', '/health'],
      ['GET /valves', '/valves?segment=seg-01'],
      ['GET /valves/:id', '/valves/v-101'],
      ['GET /incidents', '/incidents'],
      ['GET /incidents/:id', `/incidents/${created.id}`],
      ['GET /pipeline/alerts', '/pipeline/alerts?priority=critical'],
      ['GET /pipeline/alerts/metrics', '/pipeline/alerts/metrics'],
      ['GET /audit', '/audit?limit=5&newest=true'],
    ];
    for (const [key, url] of gets) {
      const r = await s.call('GET', url, { headers: withKey(s.read) });
      expect(r.status, url).toBe(200);
      const parsed = routes[key].response.safeParse(r.json());
      expect(parsed.success, `${url}: ${JSON.stringify(parsed.error?.issues[0])}`).toBe(true);
    }
    const valves = (await s.call('GET', '/valves?segment=seg-01', { headers: withKey(s.read) })).json() as {
      segment: string;
    }[];
    expect(valves.length).toBeGreaterThan(0);
    expect(valves.every((v) => v.segment === 'seg-01')).toBe(true);
    await s.call('POST', '/incidents', { body: { title: 'Second', severity: 'low' }, headers: withKey(s.write) });
    const audit = (await s.call('GET', '/audit', { headers: withKey(s.read) })).json() as { action: string }[];
    // The station's own start, then the two incidents.
    expect(audit.map((e) => e.action)).toEqual(['station.start', 'incident.create', 'incident.create']);
    expect((await s.call('GET', '/audit?limit=1&newest=true', { headers: withKey(s.read) })).json()).toMatchObject([
      { action: 'incident.create', detail: {} },
    ]);
    expect((await s.call('GET', '/valves/v-999', { headers: withKey(s.read) })).status).toBe(404);
  }, 60_000);
});

function rawSocket(port: number, data: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(data, 'latin1'));
    let got = '';
    socket.on('data', (c) => (got += c.toString()));
    socket.on('close', () => resolve(got));
    socket.on('error', () => resolve(got));
    socket.setTimeout(3000, () => socket.destroy());
  });
}
