import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AuditHeadMessage,
  parseTopic,
  subscriptionsOf,
  TOPIC_TABLE,
  topics,
  type TopicRight,
  type TopicSpec,
} from '../../src/shared/protocol';

const DOC = fs.readFileSync(path.resolve(__dirname, '../../docs/protocol.md'), 'utf8');

/** The rows of docs/protocol.md's topic table: path, publisher, subscriber, QoS, retained. */
function docTable(): string[][] {
  const start = DOC.indexOf('| Topic (under `plainview/v2/{site}/`)');
  expect(start, 'the topic table in docs/protocol.md').toBeGreaterThan(0);
  const rows = DOC.slice(start).split('\n\n')[0]!.split('\n').slice(2);
  return rows.map((r) =>
    r
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim()),
  );
}

const words = (rights: readonly TopicRight[]) => rights.map((r) => `${r.role}${r.own ? ' (own)' : ''}`).join(', ');
const retained = (s: TopicSpec) =>
  s.will ? 'yes (and the will)' : s.retained ? 'yes' : s.kind === 'valve_command' ? '**never**' : 'no';

describe('docs/protocol.md and the topic table agree', () => {
  it('every topic of the doc is in the code with the same rights, QoS and retain, and every topic of the code is in the doc', () => {
    const doc = docTable().map(([topic, pub, sub, qos, ret]) => [topic!.replace(/`/g, ''), pub, sub, qos, ret]);
    const code = TOPIC_TABLE.map((s) => [
      s.path,
      words(s.publishers),
      words(s.subscribers),
      String(s.qos),
      retained(s),
    ]);
    expect(doc).toEqual(code);
  });

  it('each topic builder names its table row, and parseTopic reads it back with its owner', () => {
    const ids: Record<string, string> = {
      gateway: 'gw-1',
      valve: 'v-101',
      point: 'p-1',
      station: 'ws-a',
      alert: 'a-1',
      alarm: 'al-1',
      incident: 'inc-1',
      operator: 'olga',
    };
    const built: Record<string, string> = {
      site: topics.site('s'),
      alert: topics.alert('s', 'a-1'),
      gateway_presence: topics.gatewayPresence('s', 'gw-1'),
      valve_state: topics.valveState('s', 'gw-1', 'v-101'),
      valve_command: topics.valveCommand('s', 'gw-1', 'v-101'),
      valve_ack: topics.valveAck('s', 'gw-1', 'v-101'),
      point_meta: topics.pointMeta('s', 'gw-1', 'p-1'),
      telemetry: topics.telemetry('s', 'gw-1', 'p-1'),
      station_presence: topics.stationPresence('s', 'ws-a'),
      station_event: topics.stationEvents('s', 'ws-a'),
      alarm_snapshot: topics.alarmSnapshot('s', 'ws-a', 'al-1'),
      incident_snapshot: topics.incidentSnapshot('s', 'ws-a', 'inc-1'),
      alarm_definitions: topics.alarmDefinitions('s', 'ws-a'),
      operator_record: topics.operatorRecord('s', 'ws-a', 'olga'),
      audit_head: topics.auditHead('s', 'ws-a'),
    };
    for (const spec of TOPIC_TABLE) {
      const topic = `plainview/v2/s/${spec.path.replace(/\{(\w+)\}/g, (_, n: string) => ids[n]!)}`;
      expect(built[spec.kind], spec.kind).toBe(topic);
      const owner = spec.path.startsWith('gateways/') ? 'gw-1' : spec.path.startsWith('stations/') ? 'ws-a' : null;
      expect(parseTopic(topic), spec.kind).toMatchObject({ kind: spec.kind, site: 's', owner, protocol: 2 });
    }
  });

  it('a gateway subscribes to its own commands only; valve ids in topics are lower case', () => {
    expect(subscriptionsOf('gateway', 's', 'gw-2')).toEqual(['plainview/v2/s/gateways/gw-2/valves/+/cmd']);
    expect(subscriptionsOf('pipelineguard', 's', 'pipelineguard')).toEqual([]);
    expect(parseTopic('plainview/v2/s/gateways/gw-1/valves/V-903/state')).toBeNull();
    expect(parseTopic('plainview/v1/s/valves/V-903/state')).toBeNull();
    expect(parseTopic('plainview/v2/s/gateways/gw-1/valves/v-1234567/state')).toBeNull();
  });

  it('the audit head example is a valid AuditHeadMessage', () => {
    const m = /```json audit-head\n([\s\S]*?)```/.exec(DOC);
    expect(m, 'a `json audit-head` example').not.toBeNull();
    expect(AuditHeadMessage.safeParse(JSON.parse(m![1]!)).success).toBe(true);
  });
});
