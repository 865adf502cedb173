import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Command } from 'commander';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { entryFromPresence, flagBehind, newestVersion, sortFleet, type FleetEntry } from '../../shared/fleet';
import { PresenceMessage, parseTopic, topics } from '../../shared/protocol';
import type { Config } from '../config';
import { redactUrl } from '../config/url';
import { createLogger, streamSink } from '../log';
import { machineSecrets } from '../secrets/machine-secrets';
import { KeytarSecretStore } from '../secrets/secret-store';
import { StationSecrets } from '../secrets/station-secrets';
import { CliError, configOrExit, runCommand } from './run';

/** What `plainview fleet --json` prints (DEPLOYMENT.md, "Fleet"). */
export interface FleetReport {
  site: string;
  broker: string;
  collectedAt: string;
  newestVersion: string | null;
  entries: FleetEntry[];
}

export interface CollectOptions {
  /** Quiet after the SUBACK that ends the retained burst (default 500 ms). */
  settleMs?: number;
  /** The most it waits for the burst to end (default 10 s). */
  maxWaitMs?: number;
  secret?: (name: 'mqtt-password' | 'mqtt-key-passphrase') => Promise<string | null>;
}

/** Every station and gateway presence retained on the site broker (collectRetained). */
export async function collectFleet(config: Config, o: CollectOptions = {}): Promise<FleetReport> {
  const heard = new Map<string, Omit<FleetEntry, 'behind'>>();
  const collectedAt = new Date().toISOString();
  const filters = [topics.stationPresence(config.siteId, '+'), topics.gatewayPresence(config.siteId, '+')];
  await collectRetained(config, filters, o, (topic, json) => {
    const t = parseTopic(topic);
    if (!t || t.protocol !== 2 || t.site !== config.siteId) return false;
    if (t.kind !== 'station_presence' && t.kind !== 'gateway_presence') return false;
    const m = PresenceMessage.safeParse(json);
    if (!m.success || m.data.v !== 2)
      return void process.stderr.write(`plainview: ${topic}: not a presence; left out\n`);
    const kind = t.kind === 'station_presence' ? 'station' : 'gateway';
    // Retained: receipt time says nothing. Online is seen now; offline when it said so.
    const seen = m.data.status === 'online' ? collectedAt : m.data.ts;
    heard.set(`${kind}/${t.id}`, entryFromPresence(kind, t.id, m.data, seen));
  });
  const entries = sortFleet(flagBehind([...heard.values()]));
  return {
    site: config.siteId,
    broker: redactUrl(config.mqttUrl!),
    collectedAt,
    newestVersion: newestVersion(entries),
    entries,
  };
}

/**
 * Connects to the site broker as the station's account, read-only: its own client id, a clean
 * session, no will, nothing published. Subscribes to `filters` and hands each retained JSON
 * message of the burst that follows the SUBACK to `take` (false: not one it wanted). A broker
 * sends retained messages right after the SUBACK but says nothing when it is done, and the
 * station's account may publish only what would disturb a station (a marker on its own
 * topics), so the burst is over after `settleMs` with no message taken (500 ms: on a broker on
 * the site's network the burst of a few hundred retained messages is back-to-back), and at most
 * `maxWaitMs` (10 s) in all.
 */
export async function collectRetained(
  config: Config,
  filters: string[],
  o: CollectOptions,
  take: (topic: string, json: unknown) => boolean | void,
): Promise<void> {
  if (!config.mqttUrl)
    throw new CliError('no broker is configured (PLAINVIEW_MQTT_URL): a DEMO station has no fleet to list', 2);
  // The station's own order: this account's keychain, then the machine's secret (stderr says which).
  const secrets = new StationSecrets(
    new KeytarSecretStore(),
    machineSecrets(),
    createLogger({ level: 'info', json: false, sinks: [streamSink(process.stderr)] }),
  );
  const options = await connectOptions(config, o.secret ?? ((name) => secrets.get(name)));
  const client = await connect(config.mqttUrl, options);
  try {
    let last = Date.now();
    client.on('message', (topic, payload) => {
      if (payload.length === 0) return;
      let json: unknown;
      try {
        json = JSON.parse(payload.toString('utf8'));
      } catch {
        return void process.stderr.write(`plainview: ${topic}: not JSON; left out\n`);
      }
      if (take(topic, json) !== false) last = Date.now();
    });
    const granted = await client.subscribeAsync(filters, { qos: 1 });
    const refused = granted.filter((g) => g.qos >= 0x80).map((g) => g.topic);
    if (refused.length) throw new CliError(`the broker refuses this account ${refused.join(', ')}`, 1);
    last = Date.now();
    const settleMs = o.settleMs ?? 500;
    const until = Date.now() + (o.maxWaitMs ?? 10_000);
    while (Date.now() - last < settleMs && Date.now() < until)
      await new Promise((r) => setTimeout(r, Math.max(10, Math.min(settleMs - (Date.now() - last), 100))));
  } finally {
    await client.endAsync(true).catch(() => undefined);
  }
}

async function connectOptions(
  config: Config,
  secret: (name: 'mqtt-password' | 'mqtt-key-passphrase') => Promise<string | null>,
): Promise<IClientOptions> {
  const read = (f: string | null) => {
    if (!f) return undefined;
    try {
      return fs.readFileSync(f);
    } catch (err) {
      throw new CliError(`cannot read ${f}: ${(err as Error).message}`, 2);
    }
  };
  let password: string | undefined;
  if (config.mqttUsername) {
    password = (await secret('mqtt-password')) ?? undefined;
    if (password === undefined)
      throw new CliError(
        "no MQTT password in this account's keychain nor the machine's: run `plainview secrets set mqtt-password` (or, as an administrator, with --machine)",
        2,
      );
  }
  const key = read(config.mqttKeyFile);
  const encrypted = key && /BEGIN ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(key.toString('latin1'));
  const passphrase = encrypted ? await secret('mqtt-key-passphrase') : null;
  return {
    ...(passphrase ? ({ passphrase } as IClientOptions) : {}),
    // Its own id (never the station's, which would take over the station's session), a clean
    // session and no will: the fleet command leaves no trace on the broker.
    clientId: `pvfleet-${crypto.randomBytes(6).toString('hex')}`,
    clean: true,
    // Every broker speaks 3.1.1 and the command needs nothing of MQTT 5.
    protocolVersion: config.mqttProtocolVersion === 5 ? 5 : 4,
    keepalive: 30,
    connectTimeout: 10_000,
    reconnectPeriod: 0,
    username: config.mqttUsername ?? undefined,
    password,
    ca: read(config.mqttCaFile),
    cert: read(config.mqttCertFile),
    key,
    log: () => undefined,
  };
}

function connect(url: string, options: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, options);
    const fail = (why: string) => {
      client.end(true);
      reject(new CliError(`cannot reach the broker ${redactUrl(url)}: ${why}`, 1));
    };
    client.once('connect', () => resolve(client));
    client.once('error', (err) => fail(err.message));
    client.once('close', () => fail('the connection closed'));
  });
}

const dash = (v: unknown) => (v === null || v === undefined ? '-' : String(v));

/** The report as a table for a person. */
export function fleetTable(report: FleetReport): string {
  const head = [
    'ID',
    'KIND',
    'STATUS',
    'VERSION',
    'SCHEMA',
    'CHANNEL',
    'DEMO',
    'HEALTH',
    'LAST BACKUP',
    'LAST SEEN',
    '',
  ];
  const rows = report.entries.map((e) => [
    e.id,
    e.kind,
    e.status,
    dash(e.version),
    dash(e.schemaVersion),
    dash(e.channel),
    e.demo === null ? '-' : e.demo ? 'DEMO' : 'no',
    e.health
      ? `${e.health.status}${
          e.health.status === 'ok'
            ? ''
            : ` (${Object.entries(e.health.checks)
                .filter(([, s]) => s !== 'ok' && s !== 'not_configured')
                .map(([c, s]) => `${c} ${s}`)
                .join(', ')})`
        }`
      : '-',
    dash(e.lastBackupAt),
    e.lastSeenAt,
    e.behind ? 'BEHIND' : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

/** `plainview fleet [--json]`. */
export function registerFleetCommand(program: Command): void {
  program
    .command('fleet')
    .description(
      'list every station and gateway of the site seen on the broker (retained presence): status, version, schema, update channel, demo, health, last backup, last seen; BEHIND marks a station older than the newest version seen. Read-only; exit 1 if the broker cannot be reached, 2 on a configuration error',
    )
    .option('--json', 'print JSON for IT tooling')
    .option('--settle-ms <ms>', 'quiet after the subscription that ends the retained burst', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 50 || n > 60_000)
        throw new CliError('--settle-ms: a whole number from 50 to 60000', 2);
      return n;
    })
    .action((opts: { json?: boolean; settleMs?: number }) =>
      runCommand(async () => {
        const { config } = configOrExit();
        const report = await collectFleet(config, { settleMs: opts.settleMs });
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : fleetTable(report));
        if (!opts.json && report.entries.length === 0)
          process.stderr.write(`no station or gateway of site ${report.site} has a presence on the broker\n`);
      }),
    );
}
