import { DataType, decodePayload, encodePayload, metricValue, type DecodedMetric, type DecodedPayload } from './codec';
import type { MetricValue } from './codec';
import type { Logger } from '../log';
import type { SparkplugCounters } from './counters';
import { edgeTopic, parseTopic, type Verb } from './topics';

/** Larger payloads are set aside before decoding: a whole birth of thousands of metrics fits. */
export const MAX_SPARKPLUG_BYTES = 256 * 1024;
/** A rebirth asked for and not answered is asked for again after this long, at the earliest. */
export const REBIRTH_RETRY_MS = 10_000;
/** Edge nodes remembered at most: a flood of made-up node names cannot grow the host without bound. */
const MAX_NODES = 10_000;
const MAX_DEVICES_PER_NODE = 10_000;
const REBIRTH_METRIC = 'Node Control/Rebirth';

export interface MetricRecord {
  name: string;
  alias: number | null;
  datatype: number;
  value: MetricValue;
  /** Field time of the value (epoch ms), when it had one. */
  fieldTime: number | null;
  /** When this host received it, or marked it stale (epoch ms). */
  updatedAt: number;
  stale: boolean;
}

interface Scope {
  metrics: Map<string, MetricRecord>;
  aliases: Map<number, MetricRecord>;
  online: boolean;
  /** When it last came or went (host time, epoch ms). */
  since: number | null;
}

export interface DeviceRecord extends Scope {
  id: string;
  /** False between its edge node's NBIRTH and its own DBIRTH. */
  born: boolean;
}

interface Pending {
  verb: Verb;
  device: string | null;
  payload: DecodedPayload;
  receivedAt: number;
}

export interface NodeRecord extends Scope {
  group: string;
  node: string;
  devices: Map<string, DeviceRecord>;
  /** The bdSeq of the NBIRTH in force; an NDEATH with another one belongs to an older session. */
  bdSeq: number | null;
  born: boolean;
  expectedSeq: number;
  /** Messages that arrived ahead of a missing seq, waiting for the gap to fill. */
  early: Map<number, Pending>;
  reorderTimer: NodeJS.Timeout | null;
  /** Monotonic time of the last rebirth request; null when none is pending. */
  rebirthAt: number | null;
}

/** What the host tells the station about: births, data and deaths, in the order they apply. */
export interface HostEvents {
  /** A node's (device null) or device's whole metric set, as its birth declared it. */
  onBirth(node: NodeRecord, device: DeviceRecord | null): void;
  /** Metrics a DATA message changed. */
  onData(node: NodeRecord, device: DeviceRecord | null, changed: MetricRecord[]): void;
  /** A node or device came online (birth) or went offline (death, lost broker). */
  onOnline(node: NodeRecord, device: DeviceRecord | null, online: boolean): void;
  /** A STATE message (spBv1.0/STATE/<host id>). */
  onState(hostId: string, online: boolean, timestamp: number): void;
}

export interface HostOptions {
  counters: SparkplugCounters;
  log: Logger;
  /** Publishes a node command (QoS 0, never retained); false when it could not leave. */
  publish: (topic: string, payload: Uint8Array) => boolean;
  events: HostEvents;
  /** How long a missing seq may take to arrive before a rebirth is requested; 0: at once. */
  reorderTimeoutMs: number;
  /** Host time, epoch ms (steady: a wall clock step does not move it). */
  now: () => number;
  monotonic: () => number;
}

type Result<T> = { ok: true; value: T } | { ok: false; detail: string };

/**
 * A Sparkplug B 3.0 host application's view of its edge nodes (specification chapter 5):
 * births build each node's and device's metric set with its aliases, data updates it by
 * alias or name, deaths (NDEATH only with the birth's bdSeq) and a lost broker mark it
 * STALE, and seq runs 0 to 255 per node with a reorder window; a gap that does not fill in
 * time, data before a birth or an unknown alias asks the node to rebirth (one request at a
 * time per node). Nothing throws out of `handle`: every message is applied or set aside and
 * counted.
 */
export class SparkplugHost {
  readonly nodes = new Map<string, NodeRecord>();

  constructor(private readonly o: HostOptions) {}

  handle(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    if (!t) return this.o.counters.reject('unknown_topic', 'other', topic.slice(0, 200));
    const kind = t.kind === 'state' ? 'STATE' : t.verb;
    if (payload.length > MAX_SPARKPLUG_BYTES)
      return this.o.counters.reject('oversize', kind, `${payload.length} bytes`);
    try {
      if (t.kind === 'state') return this.state(t.hostId, payload);
      // Commands are what hosts (this one included) send to the edge: nothing to take in.
      if (t.verb === 'NCMD' || t.verb === 'DCMD') return this.o.counters.accept(`${t.verb} (not for hosts)`);
      const decoded = decodePayload(payload);
      if (!decoded.ok) return this.o.counters.reject('not_protobuf', kind, decoded.detail);
      const p: Pending = { verb: t.verb, device: t.device, payload: decoded.payload, receivedAt: this.o.now() };
      if (t.verb === 'NBIRTH') return this.nbirth(t.group, t.node, p);
      const node = this.nodes.get(nodeKey(t.group, t.node));
      if (t.verb === 'NDEATH') return this.ndeath(node, p);
      if (!node) return this.unborn(t.group, t.node, p);
      this.sequenced(node, p);
    } catch (err) {
      this.o.counters.reject('apply_failed', kind, (err as Error).message.slice(0, 200));
    }
  }

  /** The broker is gone: every metric STALE now, every node offline until it is born again. */
  linkLost(): void {
    const now = this.o.now();
    for (const node of this.nodes.values()) {
      const wasBorn = node.born;
      this.clearSequence(node);
      node.born = false;
      if (wasBorn || node.online) this.die(node, now);
    }
  }

  /**
   * Back on the broker: ask every node this host knew to rebirth, so quiet nodes (that send
   * only on change) are current at once, not at their next change.
   */
  linkRestored(): void {
    for (const node of this.nodes.values()) if (node.bdSeq !== null) this.requestRebirth(node, 'reconnected');
  }

  stop(): void {
    for (const node of this.nodes.values()) this.clearSequence(node);
  }

  // ---- STATE ------------------------------------------------------------------------

  private state(hostId: string, payload: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.o.counters.reject('not_state_json', 'STATE', 'not JSON');
    }
    const s = json as { online?: unknown; timestamp?: unknown } | null;
    if (typeof s !== 'object' || s === null || typeof s.online !== 'boolean' || typeof s.timestamp !== 'number')
      return this.o.counters.reject('not_state_json', 'STATE', 'expected {"online": boolean, "timestamp": number}');
    this.o.counters.accept('STATE');
    this.o.events.onState(hostId, s.online, s.timestamp);
  }

  // ---- births and deaths ------------------------------------------------------------

  private nbirth(group: string, nodeId: string, p: Pending): void {
    const seq = p.payload.seq;
    if (seq === null || seq < 0 || seq > 255)
      return this.o.counters.reject('invalid', 'NBIRTH', `seq ${seq ?? 'missing'}: an NBIRTH has one from 0 to 255`);
    const bdSeq = this.bdSeqOf(p.payload);
    if (!bdSeq.ok) return this.o.counters.reject('invalid', 'NBIRTH', bdSeq.detail);
    const metrics = this.birthMetrics('NBIRTH', p);
    if (!metrics.ok) return this.o.counters.reject('invalid', 'NBIRTH', metrics.detail);
    let node = this.nodes.get(nodeKey(group, nodeId));
    if (!node) {
      if (this.nodes.size >= MAX_NODES)
        return this.o.counters.reject('invalid', 'NBIRTH', `more than ${MAX_NODES} edge nodes`);
      node = newNode(group, nodeId);
      this.nodes.set(nodeKey(group, nodeId), node);
    }
    this.clearSequence(node);
    setMetrics(node, metrics.value);
    node.bdSeq = bdSeq.value;
    node.born = true;
    node.expectedSeq = (seq + 1) % 256;
    node.online = true;
    node.since = p.receivedAt;
    // Its devices are born again next (DBIRTH); until then their data asks for a rebirth.
    for (const d of node.devices.values()) d.born = false;
    this.o.counters.accept('NBIRTH');
    this.o.events.onOnline(node, null, true);
    this.o.events.onBirth(node, null);
  }

  private ndeath(node: NodeRecord | undefined, p: Pending): void {
    const bdSeq = this.bdSeqOf(p.payload);
    if (!bdSeq.ok) return this.o.counters.reject('invalid', 'NDEATH', bdSeq.detail);
    if (!node || node.bdSeq === null)
      return this.o.counters.reject('before_birth', 'NDEATH', 'the death of a node never born here');
    // The will of an older session (issue 199 of the specification): the node is alive.
    if (bdSeq.value !== node.bdSeq)
      return this.o.counters.reject('bdseq_mismatch', 'NDEATH', `bdSeq ${bdSeq.value}, the birth's is ${node.bdSeq}`);
    this.clearSequence(node);
    node.born = false;
    this.o.counters.accept('NDEATH');
    this.die(node, p.receivedAt);
  }

  /** Offline with all its devices, every metric STALE stamped with the host's time. */
  private die(node: NodeRecord, at: number): void {
    for (const d of node.devices.values()) {
      d.born = false;
      if (!d.online && allStale(d)) continue;
      goStale(d, at);
      this.o.events.onOnline(node, d, false);
    }
    goStale(node, at);
    this.o.events.onOnline(node, null, false);
  }

  private dbirth(node: NodeRecord, p: Pending): void {
    const metrics = this.birthMetrics('DBIRTH', p);
    if (!metrics.ok) return this.o.counters.reject('invalid', 'DBIRTH', metrics.detail);
    let d = node.devices.get(p.device!);
    if (!d) {
      if (node.devices.size >= MAX_DEVICES_PER_NODE)
        return this.o.counters.reject('invalid', 'DBIRTH', `more than ${MAX_DEVICES_PER_NODE} devices`);
      d = { id: p.device!, metrics: new Map(), aliases: new Map(), online: false, since: null, born: false };
      node.devices.set(d.id, d);
    }
    setMetrics(d, metrics.value);
    d.born = true;
    d.online = true;
    d.since = p.receivedAt;
    this.o.counters.accept('DBIRTH');
    this.o.events.onOnline(node, d, true);
    this.o.events.onBirth(node, d);
  }

  private ddeath(node: NodeRecord, p: Pending): void {
    const d = node.devices.get(p.device!);
    if (!d) return this.o.counters.reject('before_birth', 'DDEATH', 'the death of a device never born here');
    d.born = false;
    goStale(d, p.receivedAt);
    this.o.counters.accept('DDEATH');
    this.o.events.onOnline(node, d, false);
  }

  // ---- data -------------------------------------------------------------------------

  private data(node: NodeRecord, p: Pending): void {
    const scope: Scope | undefined = p.device === null ? node : node.devices.get(p.device);
    if (!scope || (p.device !== null && !(scope as DeviceRecord).born)) {
      this.o.counters.reject('before_birth', p.verb, `data from ${p.device ?? node.node} before its birth`);
      return this.requestRebirth(node, 'data before birth');
    }
    const changed: MetricRecord[] = [];
    let unknown: string | null = null;
    for (const m of p.payload.metrics) {
      const r = m.alias !== null ? scope.aliases.get(m.alias) : m.name !== null ? scope.metrics.get(m.name) : undefined;
      if (!r) {
        unknown ??= m.alias !== null ? `alias ${m.alias}` : `metric ${m.name ?? '(no name, no alias)'}`;
        continue;
      }
      // Historical values are for history, not the live value (not supported: left out).
      if (m.historical) continue;
      const v = metricValue(m.datatype ?? r.datatype, m);
      if (!v.ok || (m.datatype !== null && m.datatype !== r.datatype)) {
        this.o.counters.metric('wrong_type', p.verb, v.ok ? `${r.name}: datatype changed from its birth` : v.detail);
        continue;
      }
      r.value = v.value;
      r.fieldTime = m.timestamp ?? p.payload.timestamp;
      r.updatedAt = p.receivedAt;
      r.stale = false;
      changed.push(r);
    }
    if (unknown !== null) {
      this.o.counters.metric('unknown_alias', p.verb, unknown);
      this.requestRebirth(node, `unknown ${unknown}`);
    }
    this.o.counters.accept(p.verb);
    if (changed.length) this.o.events.onData(node, p.device === null ? null : (scope as DeviceRecord), changed);
  }

  // ---- seq --------------------------------------------------------------------------

  /** NDATA, DBIRTH, DDATA and DDEATH: in seq order, with a reorder window for a gap. */
  private sequenced(node: NodeRecord, p: Pending): void {
    if (!node.born) {
      if (node.rebirthAt !== null && this.o.monotonic() - node.rebirthAt < REBIRTH_RETRY_MS)
        return this.o.counters.reject('awaiting_rebirth', p.verb, 'waiting for the NBIRTH asked for');
      this.o.counters.reject('before_birth', p.verb, `${node.node} has no birth in force`);
      return this.requestRebirth(node, 'data before birth');
    }
    const seq = p.payload.seq;
    if (seq === null || seq < 0 || seq > 255)
      return this.o.counters.reject('invalid', p.verb, `seq ${seq ?? 'missing'}: 0 to 255 required`);
    if (seq !== node.expectedSeq) {
      const ahead = (seq - node.expectedSeq + 256) % 256;
      if (ahead > 128 || node.early.has(seq))
        return this.o.counters.reject('duplicate_seq', p.verb, `seq ${seq}, expected ${node.expectedSeq}`);
      node.early.set(seq, p);
      if (this.o.reorderTimeoutMs <= 0) return this.gapTimedOut(node);
      node.reorderTimer ??= setTimeout(() => this.gapTimedOut(node), this.o.reorderTimeoutMs);
      return;
    }
    this.apply(node, p);
    // The gap filled: what waited behind it applies in order, and the window closes.
    let next: Pending | undefined;
    while (node.born && (next = node.early.get(node.expectedSeq))) {
      node.early.delete(node.expectedSeq);
      this.apply(node, next);
    }
    if (node.early.size === 0 && node.reorderTimer) {
      clearTimeout(node.reorderTimer);
      node.reorderTimer = null;
    }
  }

  private apply(node: NodeRecord, p: Pending): void {
    node.expectedSeq = (node.expectedSeq + 1) % 256;
    if (p.verb === 'DBIRTH') this.dbirth(node, p);
    else if (p.verb === 'DDEATH') this.ddeath(node, p);
    else this.data(node, p);
  }

  private gapTimedOut(node: NodeRecord): void {
    node.reorderTimer = null;
    if (node.early.size === 0) return;
    for (const p of node.early.values())
      this.o.counters.reject('seq_gap', p.verb, `seq ${node.expectedSeq} never arrived`);
    node.early.clear();
    // Until the rebirth, this host's picture of the node cannot be trusted to be complete.
    node.born = false;
    this.requestRebirth(node, `seq ${node.expectedSeq} missing`);
  }

  /** Closes the reorder window; what waited in it is set aside (a new birth or a death supersedes it). */
  private clearSequence(node: NodeRecord): void {
    if (node.reorderTimer) clearTimeout(node.reorderTimer);
    node.reorderTimer = null;
    for (const p of node.early.values())
      this.o.counters.reject('seq_gap', p.verb, 'superseded while waiting for a gap');
    node.early.clear();
    node.rebirthAt = null;
  }

  private unborn(group: string, nodeId: string, p: Pending): void {
    this.o.counters.reject('before_birth', p.verb, `${nodeId} has no birth in force`);
    if (this.nodes.size >= MAX_NODES) return;
    const node = newNode(group, nodeId);
    this.nodes.set(nodeKey(group, nodeId), node);
    this.requestRebirth(node, 'data before birth');
  }

  /** NCMD `Node Control/Rebirth` = true, at most one pending per node. */
  private requestRebirth(node: NodeRecord, why: string): void {
    const mono = this.o.monotonic();
    if (node.rebirthAt !== null && mono - node.rebirthAt < REBIRTH_RETRY_MS) return;
    const payload = encodePayload({
      timestamp: this.o.now(),
      metrics: [{ name: REBIRTH_METRIC, datatype: DataType.Boolean, value: true }],
    });
    if (!this.o.publish(edgeTopic(node.group, 'NCMD', node.node), payload)) return;
    node.rebirthAt = mono;
    this.o.counters.rebirthsRequested++;
    this.o.log.info('rebirth requested', { group: node.group, node: node.node, why });
  }

  // ---- payload checks ---------------------------------------------------------------

  private bdSeqOf(p: DecodedPayload): Result<number> {
    const m = p.metrics.find((x) => x.name === 'bdSeq');
    if (!m) return { ok: false, detail: 'no bdSeq metric' };
    const v = metricValue(m.datatype ?? DataType.UInt64, m);
    if (!v.ok || typeof v.value !== 'number')
      return { ok: false, detail: `bdSeq: ${v.ok ? 'not a number' : v.detail}` };
    return { ok: true, value: v.value };
  }

  private birthMetrics(verb: Verb, p: Pending): Result<MetricRecord[]> {
    const out: MetricRecord[] = [];
    const names = new Set<string>();
    for (const m of p.payload.metrics) {
      if (m.name === null || m.name === '') return { ok: false, detail: 'a birth metric without a name' };
      if (m.datatype === null) return { ok: false, detail: `${m.name}: a birth metric without a datatype` };
      if (names.has(m.name)) return { ok: false, detail: `${m.name}: declared twice` };
      names.add(m.name);
      const v = metricValue(m.datatype, m);
      if (!v.ok) {
        // The metric exists; its value is unusable until the next data message.
        this.o.counters.metric('wrong_type', verb, `${m.name}: ${v.detail}`);
      }
      out.push(record(m, v.ok ? v.value : null, p));
    }
    return { ok: true, value: out };
  }
}

function record(m: DecodedMetric, value: MetricValue, p: Pending): MetricRecord {
  return {
    name: m.name!,
    alias: m.alias,
    datatype: m.datatype!,
    value,
    fieldTime: m.timestamp ?? p.payload.timestamp,
    updatedAt: p.receivedAt,
    stale: false,
  };
}

function setMetrics(scope: Scope, metrics: MetricRecord[]): void {
  scope.metrics.clear();
  scope.aliases.clear();
  for (const r of metrics) {
    scope.metrics.set(r.name, r);
    if (r.alias !== null) scope.aliases.set(r.alias, r);
  }
}

function goStale(scope: Scope, at: number): void {
  scope.online = false;
  scope.since = at;
  for (const r of scope.metrics.values()) {
    r.stale = true;
    r.updatedAt = at;
  }
}

function allStale(scope: Scope): boolean {
  for (const r of scope.metrics.values()) if (!r.stale) return false;
  return true;
}

function newNode(group: string, node: string): NodeRecord {
  return {
    group,
    node,
    metrics: new Map(),
    aliases: new Map(),
    devices: new Map(),
    online: false,
    since: null,
    bdSeq: null,
    born: false,
    expectedSeq: 0,
    early: new Map(),
    reorderTimer: null,
    rebirthAt: null,
  };
}

export const nodeKey = (group: string, node: string) => `${group}/${node}`;
