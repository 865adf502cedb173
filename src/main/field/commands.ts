import { topics, topicsV1, type ValveCommandMessage } from '../../shared/protocol';
import type { FieldLink } from './link';
import type { FieldState } from './state';

/**
 * How a valve command leaves the station for the valve's field device: the Plainview protocol
 * (PlainviewCommands, below) or another the site's gateways speak. The actuation service
 * decides whether and when; a channel only carries the command, once, never retained, and
 * rejects when it cannot (the command then fails and is never sent later).
 * Acknowledgements come back through `Actuation.onAck`.
 */
export interface CommandChannel {
  /** Whether a command to this valve could leave the station now. */
  online(valveId: string): boolean;
  /** Resolves once the broker has the command (QoS 1); rejects if it could not be sent. */
  send(message: ValveCommandMessage, expirySec: number): Promise<void>;
}

/**
 * Valve commands over the Plainview protocol: QoS 1, never retained, expiring
 * (docs/protocol.md). A command goes to the valve's own gateway only
 * (`gateways/{gateway}/valves/{valve}/cmd`), the gateway its latest state came from; a valve
 * whose gateway is unknown gets no command (fail closed). A valve last heard over protocol v1
 * gets its command on the v1 topic, while the site accepts v1 gateways.
 */
export class PlainviewCommands implements CommandChannel {
  constructor(
    private readonly siteId: string,
    private readonly link: Pick<FieldLink, 'online' | 'publish'>,
    private readonly state: Pick<FieldState, 'valves'>,
    private readonly acceptV1: boolean,
  ) {}

  online(): boolean {
    return this.link.online;
  }

  send(message: ValveCommandMessage, expirySec: number): Promise<void> {
    const route = this.route(message.valve);
    if (typeof route === 'string') return Promise.reject(new Error(route));
    return this.link.publish(route.topic, JSON.stringify({ ...message, v: route.v }), {
      retain: false,
      expirySec,
      valveCommand: true,
    });
  }

  /** The command topic of the valve's gateway, or why there is none. */
  private route(valve: string): { topic: string; v: 1 | 2 } | string {
    const r = this.state.valves.get(valve);
    if (!r) return `the gateway of ${valve} is unknown (no state received from it)`;
    if (r.protocol === 1) {
      if (!this.acceptV1) return `${valve} speaks protocol v1, which this site no longer accepts`;
      return { topic: topicsV1.valveCommand(this.siteId, valve), v: 1 };
    }
    return { topic: topics.valveCommand(this.siteId, r.msg.gateway, valve), v: 2 };
  }
}
