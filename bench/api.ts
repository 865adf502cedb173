/**
 * 4. The loopback HTTP API (issue 9): `GET /valves` with 5,000 valves and `GET /health`,
 * requests/s under autocannon (in its own process, 10 connections), against a bare Fastify
 * route in the same process returning the same JSON, measured alternately in the same run.
 *
 * The station is real (mosquitto, the field simulator's 5,000 valves, a read key in the
 * X-API-Key header), its API server built as station.ts builds it with the rate limits raised
 * (bench/lib/api-station.ts). Latency under ingest is bench/api-load.ts.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import Fastify from 'fastify';
import { freePort } from '../tests/helpers/broker-procs';
import { startApiStation } from './lib/api-station';
import type { Bench, BenchOptions } from './lib/bench';
import type { Figure } from './lib/report';
import { spread } from './lib/stats';

const VALVES = 5_000;
const CONNECTIONS = 10;

interface Load {
  rps: number;
  non2xx: number;
  errors: number;
  p99ms: number;
}

/** autocannon's own CLI in a child process, so the load does not share the servers' event loop. */
function autocannon(root: string, url: string, seconds: number, headers: Record<string, string>): Promise<Load> {
  const args = [
    path.join(root, 'node_modules', 'autocannon', 'autocannon.js'),
    '-c',
    String(CONNECTIONS),
    '-d',
    String(seconds),
    '-j',
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]),
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err}`));
      const r = JSON.parse(out) as {
        requests: { total: number };
        duration: number;
        non2xx: number;
        errors: number;
        latency: { p99: number };
      };
      resolve({ rps: r.requests.total / r.duration, non2xx: r.non2xx, errors: r.errors, p99ms: r.latency.p99 });
    });
  });
}

async function run(o: BenchOptions): Promise<Figure[]> {
  const seconds = o.quick ? 3 : 10;
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const { st, port, key, stop } = await startApiStation(VALVES);
    cleanups.unshift(stop);

    // The bare route serves the station's own answers, taken once: the same JSON, no work.
    const ctx = { requestId: 'bench', senderUrl: 'bench://' };
    const answers = [
      await st.station.handlers['valves.list'](undefined, ctx),
      await st.station.handlers['health.get'](undefined, ctx),
    ] as const;
    const [valves, health] = answers.map((r) => {
      if (!r.ok) throw new Error(`the station refused: ${r.refusal.message}`);
      return r.value;
    });
    const barePort = await freePort();
    const bare = Fastify({ logger: false });
    bare.get('/valves', async () => valves);
    bare.get('/health', async () => health);
    await bare.listen({ port: barePort, host: '127.0.0.1' });
    cleanups.unshift(() => bare.close());

    const routes = [
      {
        id: 'api.valves',
        path: '/valves',
        what: `API GET /valves (${VALVES.toLocaleString('en-US')} valves)`,
        why:
          'Why (CPU profile, node --cpu-prof, of the station under this load): about 37 % is JSON serialisation of the ' +
          '1 MB answer and 25 % writing it out, as in the baseline; about 20 % is FieldState.valveList ' +
          '(src/main/field/state.ts), which sorts the 5,000 ids and builds every valve view on each call; the API ' +
          "layer's own checks (host, key digest, limiter) take about 3 %. What would meet it: valveList without the " +
          'per-call sort and allocation (ids kept in order as valves arrive).',
      },
      {
        id: 'api.health',
        path: '/health',
        what: 'API GET /health',
        why:
          'Why (CPU profile of the /health phase, node --cpu-prof): the health answer itself is cached for a second ' +
          '(src/main/health.ts), so what is left is the work the API does on every request: the Host and Origin checks, ' +
          'the rate limiter and its three headers, the request id, the call scope (AsyncLocalStorage: promise hooks on ' +
          'every await) and one log line per request (with request logging off the ratio measured 0.62 instead of 0.47). ' +
          'A bare route answers in about 30 µs of CPU; 0.8× would leave under 8 µs for all of that. What would meet it: ' +
          'no log line and no limiter for /health, against the production checklist (a log line with its request id for every ' +
          'request, rate limits on every route), a decision for the maintainers.',
      },
    ];
    const headers = { 'X-API-Key': key };
    const figures: Figure[] = [];
    for (const r of routes) {
      const stationUrl = `http://127.0.0.1:${port}${r.path}`;
      const bareUrl = `http://127.0.0.1:${barePort}${r.path}`;
      const [sBody, bBody] = await Promise.all([
        fetch(stationUrl, { headers }).then((x) => x.text()),
        fetch(bareUrl).then((x) => x.text()),
      ]);
      // Warm both (JIT, connection pools), unmeasured.
      await autocannon(o.root, stationUrl, 1, headers);
      await autocannon(o.root, bareUrl, 1, headers);
      const s: Load[] = [];
      const b: Load[] = [];
      for (let i = 0; i < o.runs; i++) {
        // Alternate which goes first in each run.
        if (i % 2 === 0) {
          s.push(await autocannon(o.root, stationUrl, seconds, headers));
          b.push(await autocannon(o.root, bareUrl, seconds, headers));
        } else {
          b.push(await autocannon(o.root, bareUrl, seconds, headers));
          s.push(await autocannon(o.root, stationUrl, seconds, headers));
        }
        o.log(
          `  ${r.path} run ${i + 1}: station ${Math.round(s.at(-1)!.rps)} req/s (p99 ${s.at(-1)!.p99ms} ms), bare ${Math.round(b.at(-1)!.rps)} req/s (p99 ${b.at(-1)!.p99ms} ms)`,
        );
      }
      const failed = [...s, ...b].reduce((n, x) => n + x.non2xx + x.errors, 0);
      const sp = spread(s.map((x) => x.rps));
      const bp = spread(b.map((x) => x.rps));
      const ratio = sp.median / bp.median;
      figures.push({
        id: r.id,
        what: r.what,
        unit: 'req/s',
        station: sp,
        baseline: { ...bp, what: 'bare Fastify route, same JSON' },
        ratio,
        target: '≥ 0.8×',
        met: ratio >= 0.8 && failed === 0,
        note:
          `autocannon ${CONNECTIONS} connections × ${seconds} s per run; body ${sBody.length.toLocaleString('en-US')} bytes ` +
          `(bare ${bBody.length.toLocaleString('en-US')}); station p99 latency ${spread(s.map((x) => x.p99ms)).median} ms, ` +
          `bare ${spread(b.map((x) => x.p99ms)).median} ms; non-2xx or errors: ${failed}. ` +
          `Rate limits raised for the measurement only (the limiter still runs).` +
          (ratio >= 0.8 ? '' : ` ${r.why}`),
      });
    }
    return figures;
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
  }
}

export const apiBench: Bench = { id: 'api', title: 'Loopback HTTP API', run };
