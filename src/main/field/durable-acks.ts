import type { MqttClient } from 'mqtt';

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

/**
 * Holds the PUBACK of a QoS 1 message until the station has committed it to disk, while
 * letting mqtt.js go on reading the next message. mqtt.js sends the PUBACK as soon as
 * `handleMessage` calls back, and reads nothing more until it does; waiting there would
 * mean one transaction (one fsync) per message. So `handleMessage` calls back at once and
 * the PUBACK itself is parked here and sent after the commit.
 *
 * This replaces the client's private `_sendPacket` for puback packets only: mqtt.js is
 * pinned to an exact version and tests/integration/field-link.test.ts proves the broker
 * sees no PUBACK before the row is in the database.
 */
export class DurableAcks {
  private readonly held = new Set<number>();
  private readonly parked: number[] = [];
  private readonly send: SendPacket;

  constructor(private readonly client: MqttClient) {
    const target = client as unknown as { _sendPacket: SendPacket };
    this.send = target._sendPacket.bind(client);
    target._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd === 'puback' && packet.messageId !== undefined && this.held.delete(packet.messageId)) {
        this.parked.push(packet.messageId);
        cb?.();
        return;
      }
      this.send(packet, cb, ...rest);
    };
  }

  /** Call before handing the message's callback back to mqtt.js. */
  hold(messageId: number): void {
    this.held.add(messageId);
  }

  /** After a commit: acknowledges every message parked so far. */
  releaseAll(): number {
    const ids = this.parked.splice(0);
    // A PUBACK for a connection that has gone would be queued for the next one by mqtt.js;
    // the broker redelivers unacknowledged messages anyway, and ingest is idempotent.
    if (this.client.connected) for (const messageId of ids) this.send({ cmd: 'puback', messageId });
    return ids.length;
  }

  get pending(): number {
    return this.parked.length + this.held.size;
  }
}
