/**
 * Plainview MQTT protocol v2: topic names and who may use them. Every topic lives under
 * `plainview/v2/{site}/`; everything a gateway writes or reads is under
 * `gateways/{gateway}/`, everything a station writes under `stations/{station}/`, so a broker
 * ACL can give each account its own topics only (docs/protocol.md).
 *
 * `TOPIC_TABLE` is the single source of truth for rights: the station's subscriptions, the
 * simulator's, and the broker ACL printed by `plainview broker acl` are derived from it, and
 * docs/protocol.md's table is checked against it (tests/unit/protocol-topics.test.ts).
 * Ids in topics are topic-safe (no `/`, `+`, `#`); valve ids look like `v-101`.
 */
export const PROTOCOL_VERSION = 2;
export const ROOT = 'plainview/v2';
/** Protocol v1, accepted from gateways during a transition (`acceptV1`, docs/protocol.md). */
export const ROOT_V1 = 'plainview/v1';

export type ProtocolVersion = 1 | 2;

export type TopicKind =
  | 'site'
  | 'valve_state'
  | 'valve_command'
  | 'valve_ack'
  | 'point_meta'
  | 'telemetry'
  | 'alert'
  | 'station_event'
  | 'station_presence'
  | 'alarm_snapshot'
  | 'incident_snapshot'
  | 'gateway_presence'
  | 'alarm_definitions'
  | 'operator_record'
  | 'audit_head';

/**
 * The MQTT accounts of a site: one per station, one per gateway, one for PipelineGuard (the
 * site's host system: it publishes the site description and the leak alerts).
 */
export type Role = 'station' | 'gateway' | 'pipelineguard';

/**
 * A right on a topic. `own` names the id in the path that must be the account's own id (a
 * gateway writes `gateways/{gateway}/…` for its own id only); without it, any id (`+`).
 */
export interface TopicRight {
  role: Role;
  own?: 'gateway' | 'station';
}

export interface TopicSpec {
  kind: TopicKind;
  /** Under `{root}/{site}/`; `{name}` is an id. */
  path: string;
  publishers: readonly TopicRight[];
  subscribers: readonly TopicRight[];
  qos: 0 | 1;
  /** Retained by the broker (current state); a command is never retained. */
  retained: boolean;
  /** Also the topic of its publisher's MQTT will (presence). */
  will?: boolean;
  /** The payload schema in messages.ts. */
  payload: string;
}

const station: TopicRight = { role: 'station' };
const ownStation: TopicRight = { role: 'station', own: 'station' };
const ownGateway: TopicRight = { role: 'gateway', own: 'gateway' };
const guard: TopicRight = { role: 'pipelineguard' };

/** What PipelineGuard publishes, the same in v1 and v2. */
const PIPELINEGUARD_ROWS: readonly TopicSpec[] = [
  {
    kind: 'site',
    path: 'site',
    publishers: [guard],
    subscribers: [station],
    qos: 1,
    retained: true,
    payload: 'SiteMessage',
  },
  {
    kind: 'alert',
    path: 'alerts/{alert}',
    publishers: [guard],
    subscribers: [station],
    qos: 1,
    retained: true,
    payload: 'AlertMessage',
  },
];

/** Protocol v2: every topic, who publishes it, who subscribes, QoS and retain. */
export const TOPIC_TABLE: readonly TopicSpec[] = [
  ...PIPELINEGUARD_ROWS,
  {
    kind: 'gateway_presence',
    path: 'gateways/{gateway}/presence',
    publishers: [ownGateway],
    subscribers: [station],
    qos: 1,
    retained: true,
    will: true,
    payload: 'PresenceMessage',
  },
  {
    kind: 'valve_state',
    path: 'gateways/{gateway}/valves/{valve}/state',
    publishers: [ownGateway],
    subscribers: [station],
    qos: 1,
    retained: true,
    payload: 'ValveStateMessage',
  },
  {
    kind: 'valve_command',
    path: 'gateways/{gateway}/valves/{valve}/cmd',
    publishers: [station],
    subscribers: [ownGateway],
    qos: 1,
    retained: false,
    payload: 'ValveCommandMessage',
  },
  {
    kind: 'valve_ack',
    path: 'gateways/{gateway}/valves/{valve}/ack',
    publishers: [ownGateway],
    subscribers: [station],
    qos: 1,
    retained: false,
    payload: 'ValveAckMessage',
  },
  {
    kind: 'point_meta',
    path: 'gateways/{gateway}/points/{point}/meta',
    publishers: [ownGateway],
    subscribers: [station],
    qos: 1,
    retained: true,
    payload: 'PointMetaMessage',
  },
  {
    kind: 'telemetry',
    path: 'gateways/{gateway}/points/{point}/sample',
    publishers: [ownGateway],
    subscribers: [station],
    qos: 0,
    retained: false,
    payload: 'TelemetryMessage',
  },
  {
    kind: 'station_presence',
    path: 'stations/{station}/presence',
    publishers: [ownStation],
    subscribers: [station],
    qos: 1,
    retained: true,
    will: true,
    payload: 'PresenceMessage',
  },
  {
    kind: 'station_event',
    path: 'stations/{station}/events',
    publishers: [ownStation],
    subscribers: [station],
    qos: 1,
    retained: false,
    payload: 'StationEventMessage',
  },
  {
    kind: 'alarm_snapshot',
    path: 'stations/{station}/snapshots/alarms/{alarm}',
    publishers: [ownStation],
    subscribers: [station],
    qos: 1,
    retained: true,
    payload: 'AlarmSnapshotMessage',
  },
  {
    kind: 'incident_snapshot',
    path: 'stations/{station}/snapshots/incidents/{incident}',
    publishers: [ownStation],
    subscribers: [station],
    qos: 1,
    retained: true,
    payload: 'IncidentSnapshotMessage',
  },
  {
    kind: 'alarm_definitions',
    path: 'stations/{station}/alarm-definitions',
    publishers: [ownStation],
    subscribers: [station],
    qos: 1,
    retained: true,
    payload: 'AlarmDefinitionsMessage',
  },
  {
    kind: 'operator_record',
    path: 'stations/{station}/operators/{operator}',
    publishers: [ownStation],
    subscribers: [station],
    qos: 1,
    retained: true,
    payload: 'OperatorRecordMessage',
  },
  {
    kind: 'audit_head',
    path: 'stations/{station}/audit-head',
    publishers: [ownStation],
    subscribers: [station],
    qos: 1,
    retained: true,
    payload: 'AuditHeadMessage',
  },
];

/**
 * Protocol v1's field topics, which a v2 station still takes from gateways and PipelineGuard
 * while the site setting `acceptV1` is on. They carry no gateway id in valve and point
 * topics: any v1 gateway account can write any valve's state (the reason for v2).
 */
export const TOPIC_TABLE_V1: readonly TopicSpec[] = [
  ...PIPELINEGUARD_ROWS,
  {
    kind: 'gateway_presence',
    path: 'presence/gateways/{gateway}',
    publishers: [ownGateway],
    subscribers: [station],
    qos: 1,
    retained: true,
    will: true,
    payload: 'PresenceMessage',
  },
  {
    kind: 'valve_state',
    path: 'valves/{valve}/state',
    publishers: [{ role: 'gateway' }],
    subscribers: [station],
    qos: 1,
    retained: true,
    payload: 'ValveStateMessage',
  },
  {
    kind: 'valve_command',
    path: 'valves/{valve}/cmd',
    publishers: [station],
    subscribers: [{ role: 'gateway' }],
    qos: 1,
    retained: false,
    payload: 'ValveCommandMessage',
  },
  {
    kind: 'valve_ack',
    path: 'valves/{valve}/ack',
    publishers: [{ role: 'gateway' }],
    subscribers: [station],
    qos: 1,
    retained: false,
    payload: 'ValveAckMessage',
  },
  {
    kind: 'point_meta',
    path: 'points/{point}/meta',
    publishers: [{ role: 'gateway' }],
    subscribers: [station],
    qos: 1,
    retained: true,
    payload: 'PointMetaMessage',
  },
  {
    kind: 'telemetry',
    path: 'points/{point}/sample',
    publishers: [{ role: 'gateway' }],
    subscribers: [station],
    qos: 0,
    retained: false,
    payload: 'TelemetryMessage',
  },
];

const rootOf = (protocol: ProtocolVersion) => (protocol === 2 ? ROOT : ROOT_V1);

/**
 * The topic filter a right gives an account: the account's own id where the right says `own`,
 * `+` for every other id. `self` null: every id is `+` (a subscription for all of them).
 */
export function topicFilter(
  spec: TopicSpec,
  site: string,
  right: TopicRight,
  self: string | null,
  protocol: ProtocolVersion = 2,
): string {
  const path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => (right.own === name && self !== null ? self : '+'));
  return `${rootOf(protocol)}/${site}/${path}`;
}

export interface Grant {
  spec: TopicSpec;
  access: 'read' | 'write';
  filter: string;
  protocol: ProtocolVersion;
}

/** Every topic filter an account of this role and id may read or write, from the table(s). */
export function grants(role: Role, site: string, self: string, opts: { acceptV1?: boolean } = {}): Grant[] {
  const out: Grant[] = [];
  const tables: [ProtocolVersion, readonly TopicSpec[]][] = [[2, TOPIC_TABLE]];
  if (opts.acceptV1) tables.push([1, TOPIC_TABLE_V1]);
  for (const [protocol, table] of tables) {
    for (const spec of table) {
      for (const r of spec.publishers)
        if (r.role === role)
          out.push({ spec, access: 'write', filter: topicFilter(spec, site, r, self, protocol), protocol });
      for (const r of spec.subscribers)
        if (r.role === role)
          out.push({ spec, access: 'read', filter: topicFilter(spec, site, r, self, protocol), protocol });
    }
  }
  return out;
}

/** What an account of this role subscribes to: every filter it may read. */
export function subscriptionsOf(role: Role, site: string, self: string, opts: { acceptV1?: boolean } = {}): string[] {
  return grants(role, site, self, opts)
    .filter((g) => g.access === 'read')
    .map((g) => g.filter);
}

/**
 * What a station subscribes to: everything the field and the other stations send (and, while
 * the site accepts v1 gateways, their v1 topics too).
 */
export const stationSubscriptions = (site: string, opts: { acceptV1?: boolean } = {}) =>
  subscriptionsOf('station', site, '', opts);

const base = (site: string) => `${ROOT}/${site}`;

/** Topic names of protocol v2 (each one is a row of TOPIC_TABLE; a unit test checks they agree). */
export const topics = {
  site: (site: string) => `${base(site)}/site`,
  alert: (site: string, alert: string) => `${base(site)}/alerts/${alert}`,
  gatewayPresence: (site: string, gateway: string) => `${base(site)}/gateways/${gateway}/presence`,
  valveState: (site: string, gateway: string, valve: string) =>
    `${base(site)}/gateways/${gateway}/valves/${valve}/state`,
  valveCommand: (site: string, gateway: string, valve: string) =>
    `${base(site)}/gateways/${gateway}/valves/${valve}/cmd`,
  valveAck: (site: string, gateway: string, valve: string) => `${base(site)}/gateways/${gateway}/valves/${valve}/ack`,
  pointMeta: (site: string, gateway: string, point: string) => `${base(site)}/gateways/${gateway}/points/${point}/meta`,
  telemetry: (site: string, gateway: string, point: string) =>
    `${base(site)}/gateways/${gateway}/points/${point}/sample`,
  stationPresence: (site: string, station: string) => `${base(site)}/stations/${station}/presence`,
  stationEvents: (site: string, station: string) => `${base(site)}/stations/${station}/events`,
  alarmSnapshot: (site: string, station: string, alarm: string) =>
    `${base(site)}/stations/${station}/snapshots/alarms/${alarm}`,
  incidentSnapshot: (site: string, station: string, incident: string) =>
    `${base(site)}/stations/${station}/snapshots/incidents/${incident}`,
  /** The site's alarm definitions (retained): the newest version each station has in force. */
  alarmDefinitions: (site: string, station: string) => `${base(site)}/stations/${station}/alarm-definitions`,
  /** A site-wide operator account (retained): the account as each station holds it (docs/operators.md). */
  operatorRecord: (site: string, station: string, operator: string) =>
    `${base(site)}/stations/${station}/operators/${operator}`,
  /** The station's audit chain head (retained): a copy of it off the workstation (docs/safety.md). */
  auditHead: (site: string, station: string) => `${base(site)}/stations/${station}/audit-head`,
} as const;

/** Topic names of protocol v1, for v1 gateways during a transition and for the simulator's `--protocol v1`. */
export const topicsV1 = {
  site: (site: string) => `${ROOT_V1}/${site}/site`,
  alert: (site: string, alert: string) => `${ROOT_V1}/${site}/alerts/${alert}`,
  gatewayPresence: (site: string, gateway: string) => `${ROOT_V1}/${site}/presence/gateways/${gateway}`,
  valveState: (site: string, valve: string) => `${ROOT_V1}/${site}/valves/${valve}/state`,
  valveCommand: (site: string, valve: string) => `${ROOT_V1}/${site}/valves/${valve}/cmd`,
  valveAck: (site: string, valve: string) => `${ROOT_V1}/${site}/valves/${valve}/ack`,
  pointMeta: (site: string, point: string) => `${ROOT_V1}/${site}/points/${point}/meta`,
  telemetry: (site: string, point: string) => `${ROOT_V1}/${site}/points/${point}/sample`,
} as const;

export interface ParsedTopic {
  kind: TopicKind;
  site: string;
  /** The last id in the topic: valve, point, alert, alarm, incident, station or gateway. */
  id: string;
  /**
   * The account the topic belongs to: the gateway of a `gateways/{gateway}/…` topic, the
   * station of a `stations/{station}/…` topic; null for site-wide topics and v1 valve and
   * point topics (which name no gateway).
   */
  owner: string | null;
  protocol: ProtocolVersion;
}

/** Valve ids as the protocol names them (`v-101`): checked on the topic, without a regular expression. */
export function isValveId(s: string): boolean {
  const dash = s.indexOf('-');
  if (dash < 1 || s.length - dash - 1 < 1 || s.length - dash - 1 > 6) return false;
  for (let i = 0; i < dash; i++) {
    const c = s.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  for (let i = dash + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Splits a topic into its kind and ids without regular expressions or allocation beyond one
 * split and the result: this runs for every message on the ingest path. A valve topic whose
 * valve id is not a valve id (`V-903`) is no protocol topic: null.
 */
export function parseTopic(topic: string): ParsedTopic | null {
  const p = topic.split('/');
  if (p[0] !== 'plainview' || !p[2]) return null;
  if (p[1] === 'v2') return parseV2(p, p[2]);
  if (p[1] === 'v1') return parseV1(p, p[2]);
  return null;
}

function parseV2(p: string[], site: string): ParsedTopic | null {
  const n = p.length;
  switch (p[3]) {
    case 'site':
      return n === 4 ? { kind: 'site', site, id: site, owner: null, protocol: 2 } : null;
    case 'alerts':
      return n === 5 && p[4] ? { kind: 'alert', site, id: p[4], owner: null, protocol: 2 } : null;
    case 'gateways': {
      const gw = p[4];
      if (!gw) return null;
      if (n === 6)
        return p[5] === 'presence' ? { kind: 'gateway_presence', site, id: gw, owner: gw, protocol: 2 } : null;
      const id = p[6];
      if (n !== 8 || !id) return null;
      if (p[5] === 'valves') {
        if (!isValveId(id)) return null;
        if (p[7] === 'state') return { kind: 'valve_state', site, id, owner: gw, protocol: 2 };
        if (p[7] === 'ack') return { kind: 'valve_ack', site, id, owner: gw, protocol: 2 };
        if (p[7] === 'cmd') return { kind: 'valve_command', site, id, owner: gw, protocol: 2 };
        return null;
      }
      if (p[5] === 'points') {
        if (p[7] === 'sample') return { kind: 'telemetry', site, id, owner: gw, protocol: 2 };
        if (p[7] === 'meta') return { kind: 'point_meta', site, id, owner: gw, protocol: 2 };
      }
      return null;
    }
    case 'stations': {
      const st = p[4];
      if (!st) return null;
      if (n === 6) {
        if (p[5] === 'presence') return { kind: 'station_presence', site, id: st, owner: st, protocol: 2 };
        if (p[5] === 'events') return { kind: 'station_event', site, id: st, owner: st, protocol: 2 };
        if (p[5] === 'alarm-definitions') return { kind: 'alarm_definitions', site, id: st, owner: st, protocol: 2 };
        if (p[5] === 'audit-head') return { kind: 'audit_head', site, id: st, owner: st, protocol: 2 };
        return null;
      }
      if (n === 7)
        return p[5] === 'operators' && p[6]
          ? { kind: 'operator_record', site, id: p[6], owner: st, protocol: 2 }
          : null;
      if (n !== 8 || p[5] !== 'snapshots' || !p[7]) return null;
      if (p[6] === 'alarms') return { kind: 'alarm_snapshot', site, id: p[7], owner: st, protocol: 2 };
      if (p[6] === 'incidents') return { kind: 'incident_snapshot', site, id: p[7], owner: st, protocol: 2 };
      return null;
    }
    default:
      return null;
  }
}

/** The v1 field topics (TOPIC_TABLE_V1); v1's station topics are not taken by a v2 station. */
function parseV1(p: string[], site: string): ParsedTopic | null {
  const n = p.length;
  const id = p[4] ?? '';
  switch (p[3]) {
    case 'site':
      return n === 4 ? { kind: 'site', site, id: site, owner: null, protocol: 1 } : null;
    case 'alerts':
      return n === 5 && id ? { kind: 'alert', site, id, owner: null, protocol: 1 } : null;
    case 'valves':
      if (n !== 6 || !isValveId(id)) return null;
      if (p[5] === 'state') return { kind: 'valve_state', site, id, owner: null, protocol: 1 };
      if (p[5] === 'ack') return { kind: 'valve_ack', site, id, owner: null, protocol: 1 };
      if (p[5] === 'cmd') return { kind: 'valve_command', site, id, owner: null, protocol: 1 };
      return null;
    case 'points':
      if (n !== 6 || !id) return null;
      if (p[5] === 'sample') return { kind: 'telemetry', site, id, owner: null, protocol: 1 };
      if (p[5] === 'meta') return { kind: 'point_meta', site, id, owner: null, protocol: 1 };
      return null;
    case 'presence':
      return n === 6 && p[4] === 'gateways' && p[5]
        ? { kind: 'gateway_presence', site, id: p[5], owner: p[5], protocol: 1 }
        : null;
    default:
      return null;
  }
}

/**
 * The protocol v2 topic of a message a station queued under protocol v1 (its events,
 * snapshots and alarm definitions), so an upgraded station's unsent outbox goes where the
 * other stations and the broker's ACL now expect it; null for a topic that is not such a
 * v1 station topic.
 */
export function stationTopicV2(v1Topic: string, station: string): string | null {
  const p = v1Topic.split('/');
  if (p[0] !== 'plainview' || p[1] !== 'v1' || !p[2]) return null;
  const site = p[2];
  if (p[3] === 'events' && p.length === 5 && p[4]) return topics.stationEvents(site, p[4]);
  if (p[3] === 'alarm-definitions' && p.length === 4) return topics.alarmDefinitions(site, station);
  if (p[3] === 'snapshots' && p.length === 6 && p[5]) {
    if (p[4] === 'alarms') return topics.alarmSnapshot(site, station, p[5]);
    if (p[4] === 'incidents') return topics.incidentSnapshot(site, station, p[5]);
  }
  return null;
}
