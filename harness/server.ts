/**
 * The development and test harness: a real station (the DEMO site unless a broker is
 * configured) and the built console served on 127.0.0.1, with the IPC contract carried over
 * a WebSocket. Loopback only, a fresh token per launch, the WebSocket's Origin checked. It
 * is never part of the packaged app (electron-builder packs out/ only; this is not built
 * into out/).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { WebSocketServer, type WebSocket } from 'ws';
import { loadConfig } from '../src/main/config';
import { IpcRouter } from '../src/main/ipc/router';
import { memorySink, streamSink, type LogSink } from '../src/main/log';
import { createStation, type Station } from '../src/main/station';

export interface HarnessOptions {
  /** Station settings as PLAINVIEW_* variables (a data folder of its own is made if absent). */
  env?: Record<string, string>;
  /** 0 (default): any free port. */
  port?: number;
  rendererDir?: string;
  /** Print the station's log to stdout (dev:web) rather than keep it in memory (tests). */
  logToStdout?: boolean;
}

export interface Harness {
  url: string;
  station: Station;
  logs: string[];
  close(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

async function clientScript(): Promise<string> {
  const out = await build({
    entryPoints: [path.join(__dirname, 'client.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
  });
  return out.outputFiles[0]!.text;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const rendererDir = options.rendererDir ?? path.join(ROOT, 'out', 'renderer');
  if (!fs.existsSync(path.join(rendererDir, 'index.html')))
    throw new Error(`${rendererDir}/index.html is missing: run \`npm run build\` first`);
  const dataDir = options.env?.PLAINVIEW_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-harness-'));
  const { config } = loadConfig({
    env: { PLAINVIEW_SITE_ID: 'demo', ...options.env, PLAINVIEW_DATA_DIR: dataDir },
    cwd: dataDir,
    policyPath: path.join(dataDir, 'no-policy.json'),
    settingsPath: path.join(dataDir, 'no-settings.json'),
  });
  const memory = memorySink();
  const sinks: LogSink[] = options.logToStdout ? [streamSink(process.stdout)] : [memory];
  const station = createStation(config, { logSinks: sinks });
  await station.start();

  const token = crypto.randomBytes(24).toString('hex');
  const client = await clientScript();
  const server = http.createServer((req, res) => serve(req, res, rendererDir, client));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const router = new IpcRouter(station.handlers, (url) => url === origin, station.log.child('harness'));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    if (
      url.pathname !== '/__harness/ws' ||
      req.headers.origin !== origin ||
      !sameToken(url.searchParams.get('token') ?? '', token)
    ) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws, router, station, origin));
  });

  return {
    url: `${origin}/?token=${token}`,
    station,
    logs: memory.lines,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A page still open keeps its keep-alive connections busy: close them, do not wait them out.
      server.closeAllConnections();
      await closed;
      await station.stop();
    },
  };
}

/** One console over a WebSocket: calls go through the same router as Electron IPC. */
function connect(ws: WebSocket, router: IpcRouter, station: Station, origin: string): void {
  const unsubscribe = station.running().push.subscribe((batch) => {
    // A console that stops reading is not fed without bound.
    if (ws.bufferedAmount < 8 * 1024 * 1024) ws.send(JSON.stringify({ push: batch }));
  });
  ws.on('message', async (data) => {
    let msg: { id?: unknown; channel?: unknown; input?: unknown };
    try {
      msg = JSON.parse(String(data)) as typeof msg;
    } catch {
      return;
    }
    const result = await router.dispatch(msg.channel, msg.input, origin);
    if (typeof msg.id === 'number') ws.send(JSON.stringify({ id: msg.id, result }));
  });
  ws.on('close', unsubscribe);
}

function serve(req: http.IncomingMessage, res: http.ServerResponse, root: string, client: string): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/__harness/client.js') {
    res.writeHead(200, { 'content-type': TYPES['.js']!, 'cache-control': 'no-store' });
    return void res.end(client);
  }
  if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
  const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
  const file = path.resolve(root, rel);
  if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return void res.end('not found');
  }
  let body: Buffer | string = fs.readFileSync(file);
  if (rel === 'index.html') {
    // The harness's bridge runs before the console's module script, as the preload would.
    body = body
      .toString('utf8')
      .replace('<script type="module"', '<script src="/__harness/client.js"></script>\n    <script type="module"');
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  res.end(body);
}
