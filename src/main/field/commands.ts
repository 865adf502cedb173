import { topics, type ValveCommandMessage } from '../../shared/protocol';
import type { FieldLink } from './link';

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

/** Valve commands over the Plainview protocol: QoS 1, never retained, expiring (docs/protocol.md). */
export class PlainviewCommands implements CommandChannel {
  constructor(
    private readonly siteId: string,
    private readonly link: Pick<FieldLink, 'online' | 'publish'>,
  ) {}

  online(): boolean {
    return this.link.online;
  }

  send(message: ValveCommandMessage, expirySec: number): Promise<void> {
    return this.link.publish(topics.valveCommand(this.siteId, message.valve), JSON.stringify(message), {
      retain: false,
      expirySec,
      valveCommand: true,
    });
  }
}
