import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../../src/main/api/server';
import { EARLY_REFUSALS_PER_MINUTE } from '../../src/main/api/early-refusals';
import { createLogger, fileSink } from '../../src/main/log';
import { apiBeside } from '../helpers/api';
import { request } from '../helpers/http';
import { testStation, type TestStation } from '../helpers/station';
import { waitFor } from '../helpers/wait';

/*
 * What anyone on the workstation can do to the loopback API without a key: flood it with
 * refused requests (long paths, wrong keys, unknown routes, a foreign Host) to rotate the
 * station's log away, hold every event stream with one key, or send oversized URLs and
 * headers. The log must keep what was written before the flood, and the answers must be the
 * documented ones.
 */

const FLOOD = 10_000;
const LOG_MAX_BYTES = 256 * 1024;

function logText(dir: string): string {
  const logs = path.join(dir, 'logs');
  return fs
    .readdirSync(logs)
    .map((f) => fs.readFileSync(path.join(logs, f), 'utf8'))
    .join('\n');
}

/** `total` requests made by `made(i)`, `parallel` at a time over kept-alive connections. */
async function flood(port: number, total: number, made: (i: number) => http.RequestOptions): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, agent, ...made(i) }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end();
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  agent.destroy();
  return statuses;
}

describe('the API under abuse from the workstation', () => {
  let t: TestStation;
  let api: ApiServer;
  let port: number;
  let key: string;
  let otherKey: string;
  // Its own folder, kept for the whole describe (tempDir folders go after each test).
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-abuse-'));

  beforeAll(async () => {
    t = testStation({});
    const running = await t.station.start();
    key = running.apiKeys.create('historian', 'read').key;
    otherKey = running.apiKeys.create('scada-bridge', 'read').key;
    ({ api, port } = await apiBeside(t, running, {
      log: createLogger({ level: 'info', json: true, sinks: [fileSink(logDir, LOG_MAX_BYTES)] }).child('api'),
    }));
  });

  afterAll(async () => {
    await api?.stop();
    await t?.station.stop();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  it(`${FLOOD.toLocaleString('en')} refused requests leave the lines before them in the log, summed up in one line`, async () => {
    // A request with a key is logged line by line, as before.
    expect((await request(port, 'GET', '/valves', { headers: { 'x-api-key': key } })).status).toBe(200);
    // A monitor's health probe is logged at debug only: it would otherwise be most of the log.
    expect((await request(port, 'GET', '/health')).status).toBe(200);
    await waitFor(() => logText(logDir).includes('GET /valves - 200'), 'the keyed request in the log');

    const long = `/${'x'.repeat(15_000)}`;
    const statuses = await flood(port, FLOOD, (i) => {
      switch (i % 4) {
        case 0:
          return { method: 'GET', path: `${long}${i}` };
        case 1:
          return { method: 'GET', path: '/valves', headers: { 'x-api-key': `pv_000000000000_${'A'.repeat(43)}` } };
        case 2:
          return { method: 'GET', path: `/no-such-route-${i}` };
        default:
          return { method: 'GET', path: '/valves', headers: { host: 'evil.example:80' } };
      }
    });
    expect(statuses).toHaveLength(FLOOD);
    expect(statuses.every((s) => s >= 400 && s < 500)).toBe(true);
    // Past the limit, the client is answered 429 whatever it sends without a trusted key.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(FLOOD - 4 * EARLY_REFUSALS_PER_MINUTE);

    const text = logText(logDir);
    expect(text).toContain('GET /valves - 200');
    expect(text).not.toContain('GET /health - 200');
    expect(text).not.toContain('x'.repeat(300));
    expect(fs.statSync(path.join(logDir, 'logs', 'main.log')).size).toBeLessThan(LOG_MAX_BYTES);
  });

  it('the flooding client gets 429 with Retry-After; a key that passed before still gets in; /health stays open', async () => {
    const guess = await request(port, 'GET', '/valves', {
      headers: { 'x-api-key': `pv_111111111111_${'B'.repeat(43)}` },
    });
    expect(guess.status).toBe(429);
    expect(Number(guess.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(guess.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect((await request(port, 'GET', '/valves', { headers: { 'x-api-key': key } })).status).toBe(200);
    expect((await request(port, 'GET', '/health')).status).toBe(200);
    // A valid key that had not passed before the flood waits like the rest: its client is guessing.
    expect((await request(port, 'GET', '/valves', { headers: { 'x-api-key': otherKey } })).status).toBe(429);
  });

  it('the refusals are summed up in one warning line naming the codes and the client', async () => {
    await api.stop();
    const summary = logText(logDir)
      .split('\n')
      .filter((l) => l.includes('requests without a valid key'))
      .map(
        (l) => JSON.parse(l) as { level: string; refused: number; by_code: Record<string, number>; clients: object },
      );
    expect(summary).toHaveLength(1);
    expect(summary[0]!.level).toBe('WARN');
    expect(summary[0]!.refused).toBeGreaterThanOrEqual(FLOOD);
    expect(Object.keys(summary[0]!.by_code)).toEqual(expect.arrayContaining(['rate_limited', 'uri_too_long']));
    expect(summary[0]!.clients).toHaveProperty(['127.0.0.1']);
  });
});

describe('oversized requests and event streams', () => {
  let t: TestStation;
  let api: ApiServer;
  let port: number;
  let keys: string[];

  beforeAll(async () => {
    t = testStation({});
    const running = await t.station.start();
    keys = ['a', 'b'].map((n) => running.apiKeys.create(`stream-${n}`, 'read').key);
    ({ api, port } = await apiBeside(t, running));
  });

  afterAll(async () => {
    await api?.stop();
    await t?.station.stop();
  });

  it('a path parameter over 100 characters is 414 in the error shape, not 500', async () => {
    const r = await request(port, 'GET', `/valves/${'v'.repeat(150)}`, { headers: { 'x-api-key': keys[0]! } });
    expect(r.status).toBe(414);
    expect(r.json()).toMatchObject({ error: { code: 'uri_too_long', request_id: r.headers['x-request-id'] } });
  });

  it('headers over 16 KiB are 431 in the error shape', async () => {
    const r = await request(port, 'GET', '/health', { headers: { 'x-filler': 'h'.repeat(100_000) } });
    expect(r.status).toBe(431);
    expect(r.json()).toMatchObject({ error: { code: 'headers_too_large' } });
  });

  it('one key holds at most two event streams; another key still gets one', async () => {
    const open: http.ClientRequest[] = [];
    const stream = (k: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/events', headers: { 'x-api-key': k } }, (res) => {
          resolve(res.statusCode ?? 0);
          if (res.statusCode !== 200) res.resume();
        });
        req.on('error', reject);
        open.push(req);
      });
    try {
      expect(await stream(keys[0]!)).toBe(200);
      expect(await stream(keys[0]!)).toBe(200);
      expect(await stream(keys[0]!)).toBe(503);
      expect(await stream(keys[1]!)).toBe(200);
      const third = await request(port, 'GET', '/events', { headers: { 'x-api-key': keys[0]! } });
      expect(third.json()).toMatchObject({ error: { code: 'too_many_streams' } });
    } finally {
      for (const r of open) r.destroy();
    }
  });
});
