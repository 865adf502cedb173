import { randomBytes } from 'node:crypto';
import { newClient, type UPayload } from 'sparkplug-client';

/**
 * A real Sparkplug B edge node for tests: Eclipse Tahu's `sparkplug-client` (npm, mqtt 4 and
 * its own payload encoder inside), with one valve device and a few node metrics. It answers
 * a rebirth request with a full birth sequence, and a DCMD `Command` write by moving its
 * valve (opening, then open; closing, then closed). Everything it receives is recorded.
 */
export interface EdgeValve {
  state: string;
  position: number;
  local: boolean;
}

export class TestEdge {
  readonly client: ReturnType<typeof newClient>;
  readonly ncmds: UPayload[] = [];
  readonly dcmds: { device: string; payload: UPayload }[] = [];
  births = 0;
  rebirthRequests = 0;
  pressure = 42.5;
  readonly valve: EdgeValve = { state: 'closed', position: 0, local: false };
  /** When false, a rebirth request is recorded but not answered. */
  answerRebirth = true;

  constructor(
    url: string,
    readonly group = 'plant',
    readonly node = 'edge-1',
    readonly device = 'valve-a',
  ) {
    this.client = newClient({
      serverUrl: url,
      username: '',
      password: '',
      groupId: group,
      edgeNode: node,
      clientId: `tahu-${node}-${randomBytes(3).toString('hex')}`,
      publishDeath: true,
      version: 'spBv1.0',
      keepalive: 5,
      mqttOptions: { reconnectPeriod: 200 },
    });
    this.client.on('birth', () => this.birth());
    this.client.on('error', () => undefined);
    this.client.on('ncmd', (payload) => {
      this.ncmds.push(payload);
      const rebirth = payload.metrics?.find((m) => m.name === 'Node Control/Rebirth');
      if (rebirth?.value === true) {
        this.rebirthRequests++;
        if (this.answerRebirth) this.birth();
      }
    });
    this.client.on('dcmd', (device, payload) => {
      this.dcmds.push({ device, payload });
      const cmd = payload.metrics?.find((m) => m.name === 'Command');
      if (device !== this.device || typeof cmd?.value !== 'string') return;
      this.move(cmd.value === 'open' ? 100 : 0);
    });
  }

  /** The edge's next seq (Tahu keeps it private); a test may skip some to force a gap. */
  get seq(): number {
    return (this.client as unknown as { seq: number }).seq;
  }
  set seq(v: number) {
    (this.client as unknown as { seq: number }).seq = v;
  }

  birth(): void {
    this.births++;
    const timestamp = Date.now();
    this.client.publishNodeBirth({
      timestamp,
      metrics: [
        { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
        { name: 'Line/Pressure', alias: 1, type: 'Double', value: this.pressure },
        { name: 'Firmware', alias: 2, type: 'String', value: '1.2.3' },
        { name: 'Uptime', alias: 3, type: 'Int64', value: 12 },
      ],
    });
    this.client.publishDeviceBirth(this.device, {
      timestamp,
      metrics: [
        { name: 'State', alias: 10, type: 'String', value: this.valve.state },
        { name: 'Position', alias: 11, type: 'Float', value: this.valve.position },
        { name: 'Local', alias: 12, type: 'Boolean', value: this.valve.local },
        { name: 'Command', alias: 13, type: 'String', value: '' },
        { name: 'Temperature', alias: 14, type: 'Int16', value: -7 },
      ],
    });
  }

  setPressure(value: number): void {
    this.pressure = value;
    this.client.publishNodeData({
      timestamp: Date.now(),
      metrics: [{ name: 'Line/Pressure', alias: 1, type: 'Double', value }],
    });
  }

  /** Reports the valve (by alias, as a real edge node does after its birth). */
  report(): void {
    this.client.publishDeviceData(this.device, {
      timestamp: Date.now(),
      metrics: [
        { alias: 10, type: 'String', value: this.valve.state },
        { alias: 11, type: 'Float', value: this.valve.position },
      ],
    } as UPayload);
  }

  /** Travels: `opening`/`closing` at once, then at rest at the target on the next tick. */
  move(target: number): void {
    this.valve.state = target > this.valve.position ? 'opening' : 'closing';
    this.report();
    setTimeout(() => {
      this.valve.position = target;
      this.valve.state = target === 0 ? 'closed' : 'open';
      this.report();
    }, 50);
  }

  /** The TCP connection dies without DISCONNECT: the broker publishes the NDEATH will. */
  kill(): void {
    const c = (this.client as unknown as { client: { stream: { destroy(): void }; end(force: boolean): void } }).client;
    c.stream.destroy();
    c.end(true);
  }

  /** An orderly stop: NDEATH first (publishDeath), then DISCONNECT. */
  stop(): void {
    this.client.stop();
  }
}
