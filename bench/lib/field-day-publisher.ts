/**
 * Publishes generated field telemetry (bench/lib/field-day.ts) as the field's gateways would,
 * in its own process, as fast as the broker takes it at QoS 1: the points' descriptions first
 * (retained, as a gateway's birth), then every sample of [from, to) in order, each payload as
 * the simulator's telemetry feed writes it. Driven over IPC: `{cmd: 'go', count}` sends the next
 * `count` samples and answers `{sent, over}` (`over` once every sample is sent); `{cmd: 'stop'}`.
 */
import mqtt from 'mqtt';
import { topics as t } from '../../src/shared/protocol';
import { fieldPoints, fieldSamples, type FieldKind } from './field-day';

export interface FieldDaySetup {
  url: string;
  site: string;
  kind: FieldKind;
  from: number;
  to: number;
}

/** QoS 1 publishes awaiting their PUBACK at once. */
const WINDOW = 1_000;

async function main(): Promise<void> {
  const setup = await new Promise<FieldDaySetup>((resolve) =>
    process.once('message', (m) => resolve(m as FieldDaySetup)),
  );
  const client = await mqtt.connectAsync(setup.url, { protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  client.on('close', () => process.exit(3));
  const points = fieldPoints();
  const names = points.map((p) => t.telemetry(setup.site, p.gateway, p.id));
  await Promise.all(
    points.map((p) =>
      client.publishAsync(
        t.pointMeta(setup.site, p.gateway, p.id),
        // Without its valve: no valve states are sent, and a point may only name a known valve.
        JSON.stringify({ v: 2, gateway: p.gateway, kind: p.kind, unit: p.unit, segment: p.segment }),
        { qos: 1, retain: true },
      ),
    ),
  );
  const samples = fieldSamples(setup.kind, setup.from, setup.to);
  process.send!({ ready: true });
  process.on('message', (m: { cmd: string; count: number }) => {
    if (m.cmd === 'stop') {
      client.removeAllListeners('close');
      return void client.endAsync().then(() => process.exit(0));
    }
    void publish(m.count);
  });

  async function publish(count: number): Promise<void> {
    let sent = 0;
    let pending = 0;
    let wake: (() => void) | null = null;
    let over = false;
    while (sent < count) {
      const next = samples.next();
      if (next.done) {
        over = true;
        break;
      }
      const s = next.value;
      // As the simulator's feed writes a sample (JSON.stringify of the message).
      const payload = `{"v":2,"ts":"${new Date(s.ts).toISOString()}","value":${s.value},"quality":"good"}`;
      pending++;
      client.publish(names[s.point]!, payload, { qos: 1 }, () => {
        pending--;
        wake?.();
      });
      sent++;
      while (pending >= WINDOW) await new Promise<void>((r) => (wake = r));
      wake = null;
    }
    while (pending > 0) await new Promise<void>((r) => (wake = r));
    process.send!({ sent, over });
  }
}

void main();
