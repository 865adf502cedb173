import { performance } from 'node:perf_hooks';
import type { ValveAckMessage } from '../../shared/protocol';
import type { BrowserMetric, FieldBrowser } from '../../shared/sparkplug';
import type { Config } from '../config';
import { steadyClock } from '../field/field';
import type { FieldIntake } from '../field/ingest';
import type { Logger } from '../log';
import { MappingBridge } from './bridge';
import { typeName } from './codec';
import { SparkplugCommands } from './commands';
import { SparkplugCounters } from './counters';
import { SparkplugHost, type MetricRecord } from './host';
import { HostLink } from './link';
import { loadMapping, MappingIndex } from './mapping';
import { NAMESPACE } from './topics';

export interface SparkplugOptions {
  config: Config;
  /** The site broker (or the embedded DEMO broker), as for the field link. */
  brokerUrl: string;
  protocolVersion: 4 | 5;
  secret: (name: 'mqtt-password' | 'sparkplug-password') => Promise<string | null>;
  log: Logger;
  now: () => Date;
  monotonic?: () => number;
  /** A command's acknowledgement, as the actuation service takes the Plainview protocol's. */
  onAck: (valveId: string, ack: ValveAckMessage) => void;
}

/** The field browser of a station that runs no Sparkplug host. */
export const NO_SPARKPLUG: FieldBrowser = {
  enabled: false,
  hostId: null,
  primary: false,
  link: 'stopped',
  linkSince: null,
  rejected: {},
  rebirthsRequested: 0,
  nodes: [],
};

/**
 * The station as a Sparkplug B 3.0 host application (docs/sparkplug.md): its own broker
 * connection with STATE (link.ts), the edge nodes' metric sets (host.ts), the site mapping
 * into the field state (bridge.ts) and valve commands as metric writes (commands.ts).
 */
export class Sparkplug {
  readonly counters: SparkplugCounters;
  readonly host: SparkplugHost;
  readonly link: HostLink;
  readonly commands: SparkplugCommands;
  readonly index: MappingIndex;
  private bridge: MappingBridge | null = null;
  private readonly hostId: string;

  constructor(private readonly o: SparkplugOptions) {
    const { config, log } = o;
    this.hostId = config.sparkplugHostId!;
    const steady = steadyClock(() => o.now().getTime(), o.monotonic ?? (() => performance.now()));
    this.index = new MappingIndex(
      config.sparkplugMappingFile ? loadMapping(config.sparkplugMappingFile) : { version: 1, devices: [] },
    );
    this.counters = new SparkplugCounters(log.child('ingest'), () => o.now().getTime());
    const groups = config.sparkplugGroups;
    this.link = new HostLink({
      url: o.brokerUrl,
      clientId: `plainview-sp-${this.hostId}`.slice(0, 64),
      hostId: this.hostId,
      primary: config.sparkplugPrimaryHost,
      subscriptions: groups.length ? groups.map((g) => `${NAMESPACE}/${g}/#`) : [`${NAMESPACE}/#`],
      // Its own account where the site's ACL gives the host one, else the station's.
      username: config.sparkplugUsername ?? config.mqttUsername,
      password: async () => {
        const [user, name] = config.sparkplugUsername
          ? [config.sparkplugUsername, 'sparkplug-password' as const]
          : [config.mqttUsername, 'mqtt-password' as const];
        if (!user) return null;
        const password = await o.secret(name);
        if (password === null) throw new Error(`no ${name} in the OS keychain: run \`plainview secrets set ${name}\``);
        return password;
      },
      tls: { caFile: config.mqttCaFile, certFile: config.mqttCertFile, keyFile: config.mqttKeyFile },
      keepaliveSec: config.mqttKeepaliveSec,
      protocolVersion: o.protocolVersion,
      log: log.child('link'),
      now: o.now,
      onMessage: (topic, payload) => this.host.handle(topic, payload),
      onState: (s) => this.onLink(s.status),
    });
    this.host = new SparkplugHost({
      counters: this.counters,
      log,
      publish: (topic, payload) => this.link.publishCommand(topic, payload),
      reorderTimeoutMs: config.sparkplugReorderTimeoutMs,
      now: steady,
      monotonic: o.monotonic ?? (() => performance.now()),
      events: {
        onBirth: (node, device) => this.bridge?.onBirth(node, device),
        onData: (node, device, changed) => this.bridge?.onData(node, device, changed),
        onOnline: (node, device, online) => this.bridge?.onOnline(node, device, online),
        onState: (hostId, online) => {
          if (hostId === this.hostId) this.link.onOwnState(online);
        },
      },
    });
    this.commands = new SparkplugCommands({
      index: this.index,
      host: this.host,
      link: this.link,
      onAck: o.onAck,
      now: o.now,
      log: log.child('commands'),
    });
  }

  /** Mapped valves and points go into the field state through `intake` from now on; then connects. */
  start(intake: FieldIntake): void {
    this.bridge = new MappingBridge(this.index, intake, (id, msg) => this.commands.onValveState(id, msg));
    this.bridge.start();
    this.link.start();
  }

  async stop(): Promise<void> {
    await this.link.stop();
    this.host.stop();
  }

  private wasOnline = false;

  private onLink(status: string): void {
    if (status === 'online') {
      if (this.bridge) this.bridge.linkDown = false;
      this.wasOnline = true;
      this.host.linkRestored();
    } else if (this.wasOnline) {
      this.wasOnline = false;
      if (this.bridge) this.bridge.linkDown = true;
      this.host.linkLost();
    }
  }

  /** For health and the status line. */
  summary(): Record<string, unknown> {
    let online = 0;
    for (const n of this.host.nodes.values()) if (n.online) online++;
    return {
      link: this.link.state.status,
      host_id: this.hostId,
      nodes: this.host.nodes.size,
      nodes_online: online,
      ...this.counters.snapshot(),
    };
  }

  browse(): FieldBrowser {
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const metrics = (group: string, node: string, device: string | null, m: Map<string, MetricRecord>) =>
      [...m.values()]
        .map((r): BrowserMetric => ({
          name: r.name,
          alias: r.alias,
          datatype: typeName(r.datatype),
          value:
            r.value !== null && typeof r.value === 'object'
              ? `(${r.value.unsupported})`
              : typeof r.value === 'string'
                ? r.value.slice(0, 200)
                : r.value,
          quality: r.stale ? 'STALE' : 'GOOD',
          updatedAt: iso(r.updatedAt),
          mappedTo: this.index.describe(group, node, device, r.name),
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
    const nodes = [...this.host.nodes.values()]
      .map((n) => ({
        group: n.group,
        node: n.node,
        online: n.online,
        since: iso(n.since),
        bdSeq: n.bdSeq,
        metrics: metrics(n.group, n.node, null, n.metrics),
        devices: [...n.devices.values()]
          .map((d) => ({
            device: d.id,
            online: d.online,
            since: iso(d.since),
            metrics: metrics(n.group, n.node, d.id, d.metrics),
          }))
          .sort((a, b) => a.device.localeCompare(b.device)),
      }))
      .sort((a, b) => a.group.localeCompare(b.group) || a.node.localeCompare(b.node));
    const s = this.link.state;
    return {
      enabled: true,
      hostId: this.hostId,
      primary: this.o.config.sparkplugPrimaryHost,
      link: s.status,
      linkSince: s.since,
      rejected: Object.fromEntries(this.counters.rejected),
      rebirthsRequested: this.counters.rebirthsRequested,
      nodes,
    };
  }
}
