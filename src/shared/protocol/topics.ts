/**
 * Plainview MQTT protocol v1: topic names. Every topic lives under `plainview/v1/{site}/`.
 * Ids in topics are topic-safe (no `/`, `+`, `#`); see docs/protocol.md.
 */
export const PROTOCOL_VERSION = 1;
export const ROOT = 'plainview/v1';

export const topics = {
  site: (site: string) => `${ROOT}/${site}/site`,
  valveState: (site: string, valve: string) => `${ROOT}/${site}/valves/${valve}/state`,
  valveCommand: (site: string, valve: string) => `${ROOT}/${site}/valves/${valve}/cmd`,
  valveAck: (site: string, valve: string) => `${ROOT}/${site}/valves/${valve}/ack`,
  pointMeta: (site: string, point: string) => `${ROOT}/${site}/points/${point}/meta`,
  telemetry: (site: string, point: string) => `${ROOT}/${site}/points/${point}/sample`,
  alert: (site: string, alert: string) => `${ROOT}/${site}/alerts/${alert}`,
  stationEvents: (site: string, station: string) => `${ROOT}/${site}/events/${station}`,
  alarmSnapshot: (site: string, alarm: string) => `${ROOT}/${site}/snapshots/alarms/${alarm}`,
  incidentSnapshot: (site: string, incident: string) => `${ROOT}/${site}/snapshots/incidents/${incident}`,
  stationPresence: (site: string, station: string) => `${ROOT}/${site}/presence/stations/${station}`,
  gatewayPresence: (site: string, gateway: string) => `${ROOT}/${site}/presence/gateways/${gateway}`,
  /** The site's alarm definitions (retained): the newest version, published by the station that made it. */
  alarmDefinitions: (site: string) => `${ROOT}/${site}/alarm-definitions`,
} as const;

/** What a station subscribes to: everything the field and the other stations send. */
export const stationSubscriptions = (site: string) => [
  `${ROOT}/${site}/site`,
  `${ROOT}/${site}/valves/+/state`,
  `${ROOT}/${site}/valves/+/ack`,
  `${ROOT}/${site}/points/+/meta`,
  `${ROOT}/${site}/points/+/sample`,
  `${ROOT}/${site}/alerts/+`,
  `${ROOT}/${site}/events/+`,
  `${ROOT}/${site}/presence/#`,
  `${ROOT}/${site}/snapshots/alarms/+`,
  `${ROOT}/${site}/snapshots/incidents/+`,
  `${ROOT}/${site}/alarm-definitions`,
];

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
  | 'alarm_definitions';

export interface ParsedTopic {
  kind: TopicKind;
  site: string;
  /** The id in the topic: valve, point, alert, station or gateway. */
  id: string;
}

/**
 * Splits a topic into its kind and ids without regular expressions or allocation beyond
 * one split: this runs for every message on the ingest path.
 */
export function parseTopic(topic: string): ParsedTopic | null {
  const p = topic.split('/');
  if (p[0] !== 'plainview' || p[1] !== 'v1' || !p[2]) return null;
  const site = p[2];
  const id = p[4] ?? '';
  switch (p[3]) {
    case 'site':
      return p.length === 4 ? { kind: 'site', site, id: site } : null;
    case 'alarm-definitions':
      return p.length === 4 ? { kind: 'alarm_definitions', site, id: site } : null;
    case 'valves':
      if (p.length !== 6 || !id) return null;
      if (p[5] === 'state') return { kind: 'valve_state', site, id };
      if (p[5] === 'ack') return { kind: 'valve_ack', site, id };
      if (p[5] === 'cmd') return { kind: 'valve_command', site, id };
      return null;
    case 'points':
      if (p.length !== 6 || !id) return null;
      if (p[5] === 'sample') return { kind: 'telemetry', site, id };
      if (p[5] === 'meta') return { kind: 'point_meta', site, id };
      return null;
    case 'alerts':
      return p.length === 5 && id ? { kind: 'alert', site, id } : null;
    case 'events':
      return p.length === 5 && id ? { kind: 'station_event', site, id } : null;
    case 'snapshots':
      if (p.length !== 6 || !p[5]) return null;
      if (p[4] === 'alarms') return { kind: 'alarm_snapshot', site, id: p[5] };
      if (p[4] === 'incidents') return { kind: 'incident_snapshot', site, id: p[5] };
      return null;
    case 'presence':
      if (p.length !== 6 || !p[5]) return null;
      if (p[4] === 'stations') return { kind: 'station_presence', site, id: p[5] };
      if (p[4] === 'gateways') return { kind: 'gateway_presence', site, id: p[5] };
      return null;
    default:
      return null;
  }
}
