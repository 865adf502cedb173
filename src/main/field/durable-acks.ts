import type { MqttClient } from 'mqtt';

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

/**
 * Holds the PUBACK of a QoS 1 message until the station has committed it to disk, while
 * letting mqtt.js go on reading the next message. mqtt.js sends the PUBACK as soon as
 * `handleMessage` calls back, and reads nothing more until it does; waiting there would
 * mean one transaction (one fsync) per message. So `handleMessage` calls back at once and
 * the PUBACK itself is parked here, tagged with the writer's sequence number at that moment,
 * and sent once the writer has committed everything up to it.
 *
 * This replaces the client's private `_sendPacket` for puback packets only: mqtt.js is
 * pinned to an exact version and tests/integration/field-link.test.ts proves the broker
 * sees no PUBACK before the row is in the database.
 */
export class DurableAcks {
  private readonly held = new Set<number>();
  /** Parked PUBACKs in arrival order: [messageId, writer sequence when it was ingested]. */
  private readonly parked: [number, number][] = [];
  private readonly send: SendPacket;

  constructor(
    private readonly client: MqttClient,
    private readonly sequence: () => number,
  ) {
    const target = client as unknown as { _sendPacket: SendPacket };
    this.send = target._sendPacket.bind(client);
    target._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd === 'puback' && packet.messageId !== undefined && this.held.delete(packet.messageId)) {
        this.parked.push([packet.messageId, this.sequence()]);
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

  /** Acknowledges every parked message whose writes are committed (sequence ≤ `committed`). */
  release(committed: number): number {
    let n = 0;
    while (n < this.parked.length && this.parked[n]![1] <= committed) n++;
    const ids = this.parked.splice(0, n);
    // A PUBACK for a connection that has gone would be queued for the next one by mqtt.js;
    // the broker redelivers unacknowledged messages anyway, and ingest is idempotent.
    if (this.client.connected && ids.length) {
      // One write for the lot: at full rate a commit releases hundreds of 4-byte PUBACKs, and
      // each on its own was a system call (and, with Nagle off, a TCP segment).
      const stream = this.client.stream as { cork?: () => void; uncork?: () => void } | undefined;
      stream?.cork?.();
      for (const [messageId] of ids) this.send({ cmd: 'puback', messageId });
      stream?.uncork?.();
    }
    return n;
  }

  get pending(): number {
    return this.parked.length + this.held.size;
  }
}
