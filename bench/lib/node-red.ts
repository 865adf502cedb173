/**
 * Node-RED as a second ingest baseline (issue 20): the flow an integrator would otherwise wire
 * up, mqtt in → json → function (the row's parameters) → sqlite, in its own process against
 * the same broker and flood as the station.
 *
 * Not a dependency of the project (CI never installs it): installed on first use into
 * `node_modules/.cache/plainview-bench/node-red`. node-red-node-sqlite's sqlite3 compiles from
 * source here (about two minutes, once); if that fails, the flow stores through a tiny node
 * of our own on better-sqlite3 instead, and the figure's note says so.
 *
 * The table is the station's `telemetry_samples` (same columns, key and check), in a database
 * created before Node-RED opens it with the station's durability: WAL, synchronous=FULL (the
 * node's own default journal measured about 1,100 rows/s on this disk, one commit per row
 * either way). WAL also lets the bench count rows while Node-RED writes, without blocking it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import mqtt from 'mqtt';
import { openConnection } from '../../src/main/store/connection';
import { freePort } from '../../tests/helpers/broker-procs';
import { samplePayload } from './sample-payload';

export const NODE_RED_VERSION = '4.1.8';
const SQLITE_NODE = 'node-red-node-sqlite@1.1.1';

export interface NodeRedInstall {
  dir: string;
  /** What stores the rows: the stock node, or ours on better-sqlite3 when sqlite3 did not build. */
  store: 'node-red-node-sqlite' | 'better-sqlite3';
  /** Why the fallback, when it is used. */
  why?: string;
}

const TABLE = `CREATE TABLE telemetry_samples (
  point_id TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
  quality TEXT NOT NULL CHECK (quality IN ('good','uncertain','stale','bad')),
  PRIMARY KEY (point_id, ts)) WITHOUT ROWID`;
const INSERT = 'INSERT INTO telemetry_samples (point_id, ts, value, quality) VALUES ($point, $ts, $value, $quality)';
/** The function node: what an integrator writes to turn a sample into the statement's parameters. */
const TO_ROW = `const p = msg.payload;
msg.params = { $point: msg.topic.split('/')[6], $ts: Date.parse(p.ts), $value: p.value, $quality: p.quality };
return msg;`;

function npm(dir: string, pkgs: string[]): { ok: boolean; tail: string } {
  const r = spawnSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--save-exact', ...pkgs], {
    encoding: 'utf8',
  });
  const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-3).join(' ');
  return { ok: r.status === 0, tail };
}

const loads = (dir: string, mod: string) =>
  spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(dir, 'node_modules', mod))})`]).status === 0;

const installedVersion = (dir: string, mod: string): string | null => {
  try {
    const file = path.join(dir, 'node_modules', mod, 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
};

/** Node-RED in the bench's cache folder, installed there on first use. */
export function installNodeRed(root: string, log: (line: string) => void): NodeRedInstall {
  const dir = path.join(root, 'node_modules', '.cache', 'plainview-bench', 'node-red');
  fs.mkdirSync(dir, { recursive: true });
  // The fallback can be forced, to try it on a machine where sqlite3 builds.
  const forced = process.env.PLAINVIEW_BENCH_NODE_RED_STORE === 'better-sqlite3';
  const ours = (why: string): NodeRedInstall => ({ dir, store: 'better-sqlite3', why });
  if (installedVersion(dir, 'node-red') === NODE_RED_VERSION && (forced || loads(dir, 'sqlite3')))
    return forced ? ours('PLAINVIEW_BENCH_NODE_RED_STORE=better-sqlite3') : { dir, store: 'node-red-node-sqlite' };
  log(`  installing Node-RED ${NODE_RED_VERSION} and ${SQLITE_NODE} into ${path.relative(root, dir)} (once)…`);
  const both = forced ? null : npm(dir, [`node-red@${NODE_RED_VERSION}`, SQLITE_NODE]);
  if (both?.ok && loads(dir, 'sqlite3')) return { dir, store: 'node-red-node-sqlite' };
  const alone = npm(dir, [`node-red@${NODE_RED_VERSION}`]);
  if (!alone.ok) throw new Error(`npm could not install node-red@${NODE_RED_VERSION}: ${alone.tail}`);
  return ours(
    both ? `${SQLITE_NODE} did not build here (${both.tail})` : 'PLAINVIEW_BENCH_NODE_RED_STORE=better-sqlite3',
  );
}

/** The fallback store node: one prepared INSERT on better-sqlite3, one commit per message like the stock node. */
function writeOwnNode(userDir: string, root: string): void {
  const nodes = path.join(userDir, 'nodes');
  fs.mkdirSync(nodes, { recursive: true });
  const lib = JSON.stringify(path.join(root, 'node_modules', 'better-sqlite3'));
  fs.writeFileSync(
    path.join(nodes, 'plainview-bsqlite.js'),
    `module.exports = function (RED) {
  const Database = require(${lib});
  function Store(n) {
    RED.nodes.createNode(this, n);
    const db = new Database(n.file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const insert = db.prepare(n.sql.replace(/\\$(\\w+)/g, '@$1'));
    this.on('input', (msg, send, done) => {
      try {
        const p = msg.params;
        insert.run({ point: p.$point, ts: p.$ts, value: p.$value, quality: p.$quality });
        done();
      } catch (err) {
        done(err);
      }
    });
    this.on('close', () => db.close());
  }
  RED.nodes.registerType('plainview-bsqlite', Store);
};
`,
  );
  fs.writeFileSync(
    path.join(nodes, 'plainview-bsqlite.html'),
    `<script type="text/javascript">RED.nodes.registerType('plainview-bsqlite', { category: 'storage', defaults: { file: { value: '' }, sql: { value: '' } }, inputs: 1, outputs: 0 });</script>\n`,
  );
}

/** Node ids as the editor makes them: short words would collide with property values in Node-RED's config checks. */
const ID = {
  tab: 'a1b2c3d4e5f60001',
  broker: 'a1b2c3d4e5f60002',
  in: 'a1b2c3d4e5f60003',
  json: 'a1b2c3d4e5f60004',
  row: 'a1b2c3d4e5f60005',
  db: 'a1b2c3d4e5f60006',
  store: 'a1b2c3d4e5f60007',
};

function flow(o: {
  host: string;
  port: number;
  topic: string;
  qos: 0 | 1;
  db: string;
  store: NodeRedInstall['store'];
}) {
  const tab = { id: ID.tab, type: 'tab', label: 'ingest' };
  const broker = {
    id: ID.broker,
    type: 'mqtt-broker',
    broker: o.host,
    port: String(o.port),
    clientid: '',
    autoConnect: true,
    usetls: false,
    protocolVersion: '5',
    keepalive: '60',
    cleansession: true,
    autoUnsubscribe: true,
  };
  const store =
    o.store === 'node-red-node-sqlite'
      ? [
          { id: ID.db, type: 'sqlitedb', db: o.db, mode: 'RW' },
          { id: ID.store, z: ID.tab, type: 'sqlite', mydb: ID.db, sqlquery: 'prepared', sql: INSERT, wires: [] },
        ]
      : [{ id: ID.store, z: ID.tab, type: 'plainview-bsqlite', file: o.db, sql: INSERT, wires: [] }];
  return [
    tab,
    broker,
    {
      id: ID.in,
      z: ID.tab,
      type: 'mqtt in',
      topic: o.topic,
      qos: String(o.qos),
      datatype: 'utf8',
      broker: ID.broker,
      nl: false,
      rap: true,
      rh: 0,
      inputs: 0,
      wires: [[ID.json]],
    },
    { id: ID.json, z: ID.tab, type: 'json', property: 'payload', action: 'obj', pretty: false, wires: [[ID.row]] },
    { id: ID.row, z: ID.tab, type: 'function', func: TO_ROW, outputs: 1, noerr: 0, libs: [], wires: [[ID.store]] },
    ...store,
  ];
}

/** CPU time of a process and all its threads so far (Linux), in ms. */
function processCpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime, fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

/** One Node-RED running the ingest flow on a fresh database, ready once a probe message is stored. */
export class NodeRedFlow {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly userDir: string,
    private readonly db: Database,
  ) {
    child.stdout!.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-4000)));
    child.stderr!.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-4000)));
  }

  static async start(
    install: NodeRedInstall,
    o: { root: string; url: string; topic: string; probeTopic: string; qos: 0 | 1 },
  ): Promise<NodeRedFlow> {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-bench-node-red-'));
    const file = path.join(userDir, 'samples.db');
    const db = openConnection(file); // WAL, synchronous=FULL, as the station's store
    db.exec(TABLE);
    const { hostname, port } = new URL(o.url);
    const flowFile = path.join(userDir, 'flows.json');
    fs.writeFileSync(
      flowFile,
      JSON.stringify(
        flow({ host: hostname, port: Number(port), topic: o.topic, qos: o.qos, db: file, store: install.store }),
      ),
    );
    if (install.store === 'better-sqlite3') writeOwnNode(userDir, o.root);
    const settings = path.join(userDir, 'settings.js');
    const s = {
      uiHost: '127.0.0.1',
      uiPort: await freePort(),
      userDir,
      flowFile,
      httpAdminRoot: false,
      httpNodeRoot: false,
      credentialSecret: false,
      logging: { console: { level: 'info', metrics: false, audit: false } },
      diagnostics: { enabled: false },
      runtimeState: { enabled: false },
      externalModules: { autoInstall: false, palette: { allowInstall: false } },
    };
    fs.writeFileSync(settings, `module.exports = ${JSON.stringify(s, null, 2)};\n`);
    const red = path.join(install.dir, 'node_modules', 'node-red', 'red.js');
    const child = spawn(process.execPath, [red, '--settings', settings], {
      cwd: userDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const nr = new NodeRedFlow(child, userDir, db);
    try {
      await nr.ready(o.url, o.probeTopic, o.qos);
    } catch (err) {
      await nr.stop();
      throw err;
    }
    return nr;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Rows in its table (a read in WAL: Node-RED's writes are never blocked by it). */
  rows(): number {
    return this.db.prepare('SELECT count(*) FROM telemetry_samples').pluck().get() as number;
  }

  cpuMs(): number {
    return processCpuMs(this.child.pid!);
  }

  /**
   * Node-RED logs "Started flows" before its MQTT node has subscribed: probe samples go out
   * until one is in the table (they stay there; the caller counts rows from after this).
   */
  private async ready(url: string, probeTopic: string, qos: 0 | 1): Promise<void> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
    try {
      const deadline = Date.now() + 90_000;
      for (let i = 0; this.rows() === 0; i++) {
        if (this.child.exitCode !== null) throw new Error(`Node-RED exited (${this.child.exitCode}): ${this.output}`);
        if (Date.now() > deadline) throw new Error(`Node-RED stored no probe within 90 s: ${this.output}`);
        await client.publishAsync(probeTopic, samplePayload(i, Date.now()), { qos });
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await client.endAsync(true);
    }
  }

  /** What Node-RED logged last (for a failure message). */
  logs(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    this.db.close();
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.userDir, { recursive: true, force: true });
  }
}
