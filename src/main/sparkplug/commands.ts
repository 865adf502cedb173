import type { ValveAckMessage, ValveCommandMessage } from '../../shared/protocol';
import type { CommandChannel } from '../field/commands';
import type { Logger } from '../log';
import { commandValue, encodePayload } from './codec';
import { nodeKey, type SparkplugHost } from './host';
import type { HostLink } from './link';
import type { MappingIndex } from './mapping';
import { edgeTopic } from './topics';

/** Within this many percent of the target, a set-position command has done its work. */
const POSITION_TOLERANCE = 1;

interface Pending {
  commandId: string;
  action: ValveCommandMessage['action'];
  position: number | null;
}

/**
 * Valve commands to Sparkplug valves: a metric write (DCMD to a device, NCMD to a node's own
 * metrics) as the site mapping says, QoS 0 and never retained (specification 6). Sparkplug
 * has no acknowledgement: `accepted` is said once the command is published, and the device's
 * reported state completes it (`completed` at the target, `failed` in fault); otherwise the
 * actuation service's timeout ends it. The actuation service decides whether and when, as
 * for every command (docs/safety.md); this only carries it.
 */
export class SparkplugCommands implements CommandChannel {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly o: {
      index: MappingIndex;
      host: Pick<SparkplugHost, 'nodes'>;
      link: Pick<HostLink, 'online' | 'publishCommand'>;
      onAck: (valveId: string, ack: ValveAckMessage) => void;
      now: () => Date;
      log: Logger;
    },
  ) {}

  /** Whether the site mapping makes this valve a Sparkplug one. */
  handles(valveId: string): boolean {
    return this.o.index.valve(valveId) !== undefined;
  }

  /** Online when the host is, and the valve's node and device are alive and born. */
  online(valveId: string): boolean {
    const target = this.o.index.valve(valveId);
    if (!target || !this.o.link.online) return false;
    const node = this.o.host.nodes.get(nodeKey(target.group, target.node));
    if (!node?.born || !node.online) return false;
    if (target.device === null) return true;
    const device = node.devices.get(target.device);
    return device?.born === true && device.online;
  }

  async send(message: ValveCommandMessage, _expirySec: number): Promise<void> {
    const target = this.o.index.valve(message.valve);
    if (!target) throw new Error(`${message.valve} is not a Sparkplug valve`);
    const { commands } = target.valve;
    const write =
      message.action === 'open'
        ? commands.open
        : message.action === 'close'
          ? commands.close
          : commands.setPosition && { metric: commands.setPosition.metric, value: message.position };
    if (!write) throw new Error(`the site mapping gives ${message.valve} no Sparkplug command for ${message.action}`);
    const node = this.o.host.nodes.get(nodeKey(target.group, target.node));
    const scope = target.device === null ? node : node?.devices.get(target.device);
    const declared = scope?.metrics.get(write.metric);
    if (!declared) throw new Error(`the device did not declare ${write.metric} in its birth`);
    const value = commandValue(declared.datatype, write.value);
    if (value === null) throw new Error(`${JSON.stringify(write.value)} does not fit ${write.metric}'s type`);
    const payload = encodePayload({
      timestamp: this.o.now().getTime(),
      metrics: [{ name: write.metric, datatype: declared.datatype, value }],
    });
    const topic = edgeTopic(target.group, target.device === null ? 'NCMD' : 'DCMD', target.node, target.device);
    if (!this.o.link.publishCommand(topic, payload)) throw new Error('the Sparkplug host is not connected');
    this.pending.set(message.valve, { commandId: message.id, action: message.action, position: message.position });
    // After the actuation service has armed its own timer for this command (it does so once
    // send resolves), so the acceptance's longer completion timer is the one that stays.
    setImmediate(() => {
      if (this.pending.get(message.valve)?.commandId === message.id)
        this.ack(message.valve, message.id, 'accepted', null);
    });
  }

  /** The valve's state as the field reports it: the end of a pending command, if it says so. */
  onValveState(valveId: string, msg: { state: string; position: number | null; fault: string | null }): void {
    const p = this.pending.get(valveId);
    if (!p) return;
    if (msg.state === 'fault') {
      this.pending.delete(valveId);
      return this.ack(valveId, p.commandId, 'failed', msg.fault ?? 'the valve reports a fault');
    }
    const done =
      p.action === 'open'
        ? msg.state === 'open'
        : p.action === 'close'
          ? msg.state === 'closed'
          : msg.state !== 'opening' &&
            msg.state !== 'closing' &&
            msg.position !== null &&
            p.position !== null &&
            Math.abs(msg.position - p.position) <= POSITION_TOLERANCE;
    if (!done) return;
    this.pending.delete(valveId);
    this.ack(valveId, p.commandId, 'completed', null);
  }

  private ack(valveId: string, commandId: string, status: ValveAckMessage['status'], reason: string | null): void {
    this.o.log.info(`sparkplug command ${status}`, { valve: valveId, command: commandId, reason });
    this.o.onAck(valveId, { v: 1, commandId, status, reason, ts: this.o.now().toISOString() });
  }
}

/** Sparkplug valves through the Sparkplug channel, every other valve through the Plainview protocol's. */
export class CommandRouter implements CommandChannel {
  constructor(
    private readonly sparkplug: (CommandChannel & { handles(valveId: string): boolean }) | null,
    private readonly plainview: CommandChannel,
  ) {}

  private pick(valveId: string): CommandChannel {
    return this.sparkplug?.handles(valveId) ? this.sparkplug : this.plainview;
  }

  online(valveId: string): boolean {
    return this.pick(valveId).online(valveId);
  }

  send(message: ValveCommandMessage, expirySec: number): Promise<void> {
    return this.pick(message.valve).send(message, expirySec);
  }
}
