/**
 * HTTP GETs at a steady rate, in a process of its own (so a request's time is not the
 * measured process's event loop, nor a load generator's queue): the URLs in turn, `rate`
 * requests a second over keep-alive connections, each sent on schedule whether or not the
 * one before has answered (an answer that is late does not hold the next request back, so a
 * stall shows in the latencies instead of thinning them). Driven over IPC: the first message is
 * the setup, answered `{ready: true}`; `{cmd: 'go', seconds}` answers
 * `{latencies: {[url]: ms[]}, failed}`; `{cmd: 'stop'}` exits.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface PacedClientSetup {
  urls: string[];
  headers: Record<string, string>;
  /** Requests per second over all URLs. */
  rate: number;
}

export interface PacedClientResult {
  /** Milliseconds from sending each request to the end of its answer, per URL. */
  latencies: Record<string, number[]>;
  /** Answers other than 200, and errors. */
  failed: number;
}

const agent = new http.Agent({ keepAlive: true });

function get(url: string, headers: Record<string, string>): Promise<number | null> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode === 200 ? performance.now() - t0 : null));
    });
    req.once('error', () => resolve(null));
  });
}

async function run(setup: PacedClientSetup, seconds: number): Promise<PacedClientResult> {
  const result: PacedClientResult = { latencies: Object.fromEntries(setup.urls.map((u) => [u, []])), failed: 0 };
  const total = Math.round(setup.rate * seconds);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / setup.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const url = setup.urls[i % setup.urls.length]!;
    pending.push(
      get(url, setup.headers).then((ms) => {
        if (ms === null) result.failed++;
        else result.latencies[url]!.push(ms);
      }),
    );
  }
  await Promise.all(pending);
  return result;
}

async function main(): Promise<void> {
  const setup = await new Promise<PacedClientSetup>((resolve) =>
    process.once('message', (m) => resolve(m as PacedClientSetup)),
  );
  process.send!({ ready: true });
  process.on('message', (m: { cmd: string; seconds?: number }) => {
    if (m.cmd === 'stop') process.exit(0);
    if (m.cmd === 'go') void run(setup, m.seconds!).then((r) => process.send!(r));
  });
}

void main();
