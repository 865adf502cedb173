import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/main/sim/broker';

/**
 * Real MQTT brokers for tests, on 127.0.0.1 and a free port: aedes in this process (the
 * embedded broker Plainview ships) and mosquitto as a child process (the broker the field
 * uses). Each can be stopped cleanly, killed, and restarted on the same port so clients
 * reconnect to the same URL. Free of any test runner: vitest files use ./brokers (which
 * disposes them after each file), Playwright fixtures dispose them themselves. A mosquitto
 * still running when the process exits is SIGKILLed.
 */
export interface TestBroker {
  readonly kind: 'aedes' | 'mosquitto';
  readonly port: number;
  /** mqtt://127.0.0.1:PORT */
  readonly url: string;
  /** Whether MQTT 5 connections are accepted (aedes 1.x speaks 3.1.1 only). */
  readonly mqtt5: boolean;
  readonly running: boolean;
  /** Clean shutdown (SIGTERM for mosquitto, which saves its database if persistent). */
  stop(): Promise<void>;
  /**
   * Abrupt death. mosquitto: SIGKILL, so no goodbye to clients and nothing saved since the
   * last autosave. aedes lives in this process and cannot be killed: its close drops every
   * connection at once, which is what a client sees of a crash.
   */
  kill(): Promise<void>;
  /** Starts again on the same port (stopping first if running); persistent mosquitto reloads its data. */
  restart(): Promise<void>;
  /** Stops for good and removes its files; no restart after this. */
  dispose(): Promise<void>;
  /** What the broker logged (mosquitto), for failure messages. */
  logs(): string;
  /** A persistent mosquitto's database file, as its last autosave left it (absent until then). */
  readonly dataFile?: string;
}

export interface MosquittoOptions {
  /** Keep retained messages and sessions across restarts in a database file. Default false. */
  persistence?: boolean;
  /** Seconds between database saves while running, when persistent. Default 1, so a kill loses little. */
  autosaveIntervalS?: number;
  /** Extra mosquitto.conf lines, e.g. `max_queued_messages 10`. */
  extraConfig?: string[];
}

export const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

const live = new Set<TestBroker>();
const children = new Set<ChildProcess>();

// Last resort if the worker exits without running afterAll: no mosquitto outlives the tests.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export async function disposeAllBrokers(): Promise<void> {
  await Promise.all([...live].map((b) => b.dispose()));
}

/** A port nothing listens on right now (the OS picks it; it may be taken again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once a TCP connection to the port succeeds; `alive` can abort early (the process died). */
export async function waitForPort(port: number, timeoutMs = READY_TIMEOUT_MS, alive = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`the process meant to listen on ${port} has exited`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing accepted connections on ${HOST}:${port} within ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => (socket.destroy(), resolve(false)));
  });
}

// ---- aedes ---------------------------------------------------------------------------

export async function startAedes(): Promise<TestBroker> {
  let broker: EmbeddedBroker | null = await startEmbeddedBroker();
  const port = broker.port;
  const stop = async () => {
    const b = broker;
    broker = null;
    await b?.close();
  };
  const handle: TestBroker = {
    kind: 'aedes',
    port,
    url: broker.url,
    mqtt5: false,
    get running() {
      return broker !== null;
    },
    stop,
    kill: stop,
    restart: async () => {
      await stop();
      broker = await startEmbeddedBroker({ port });
    },
    dispose: async () => {
      live.delete(handle);
      await stop();
    },
    logs: () => '',
  };
  live.add(handle);
  return handle;
}

// ---- mosquitto -----------------------------------------------------------------------

function mosquittoConfig(port: number, dir: string, o: MosquittoOptions): string {
  const lines = [`listener ${port} ${HOST}`, 'allow_anonymous true', 'log_dest stderr', 'log_timestamp false'];
  // Run as root (CI containers), mosquitto would switch to the `mosquitto` user and could not write our folder.
  if (process.getuid?.() === 0) lines.push('user root');
  if (o.persistence) {
    lines.push(
      'persistence true',
      `persistence_location ${dir}${path.sep}`,
      `autosave_interval ${o.autosaveIntervalS ?? 1}`,
    );
  } else {
    lines.push('persistence false');
  }
  return [...lines, ...(o.extraConfig ?? [])].join('\n') + '\n';
}

class Mosquitto implements TestBroker {
  readonly kind = 'mosquitto';
  readonly mqtt5 = true;
  readonly url: string;
  private child: ChildProcess | null = null;
  private output = '';

  constructor(
    readonly port: number,
    private readonly dir: string,
    readonly dataFile?: string,
  ) {
    this.url = `mqtt://${HOST}:${port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  logs(): string {
    return this.output;
  }

  async launch(): Promise<void> {
    const child = spawn(MOSQUITTO, ['-c', path.join(this.dir, 'mosquitto.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    this.child = child;
    let exited = false;
    child.once('exit', () => ((exited = true), children.delete(child)));
    const keep = (chunk: Buffer) => void (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    try {
      await waitForPort(this.port, READY_TIMEOUT_MS, () => !exited);
    } catch (err) {
      await this.signal('SIGKILL');
      throw new Error(`mosquitto did not start: ${(err as Error).message}\n${this.output}`, { cause: err });
    }
  }

  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  async dispose(): Promise<void> {
    live.delete(this);
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Sends the signal and waits for the exit; SIGKILL after 5 s if SIGTERM was not enough. */
  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<TestBroker> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-mosquitto-'));
  // The free port may be taken between the check and mosquitto's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    fs.writeFileSync(path.join(dir, 'mosquitto.conf'), mosquittoConfig(port, dir, options));
    const broker = new Mosquitto(port, dir, options.persistence ? path.join(dir, 'mosquitto.db') : undefined);
    try {
      await broker.launch();
      live.add(broker);
      return broker;
    } catch (err) {
      if (attempt >= 3) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}
