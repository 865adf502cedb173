import type { BrokerRefusal } from '../../shared/field';

/** MQTT 5 reason codes a broker may put in a PUBACK, SUBACK or DISCONNECT (spec 2.4, table 2-6). */
const NAMES: Record<number, string> = {
  0x80: 'Unspecified error',
  0x81: 'Malformed Packet',
  0x82: 'Protocol Error',
  0x83: 'Implementation specific error',
  0x87: 'Not authorized',
  0x89: 'Server busy',
  0x8b: 'Server shutting down',
  0x8f: 'Topic Filter invalid',
  0x90: 'Topic Name invalid',
  0x91: 'Packet Identifier in use',
  0x93: 'Receive Maximum exceeded',
  0x95: 'Packet too large',
  0x96: 'Message rate too high',
  0x97: 'Quota exceeded',
  0x98: 'Administrative action',
  0x99: 'Payload format invalid',
  0x9a: 'Retain not supported',
  0x9b: 'QoS not supported',
  0x9e: 'Shared Subscriptions not supported',
  0xa1: 'Subscription Identifiers not supported',
  0xa2: 'Wildcard Subscriptions not supported',
};

const hex = (code: number) => `0x${code.toString(16).padStart(2, '0')}`;

/** "Not authorized (0x87)"; under MQTT 3.1.1 a SUBACK's only refusal, 0x80, is "Failure". */
export function reasonName(code: number, protocol: 4 | 5): string {
  if (code === 0) return 'the broker closed the connection on it';
  if (protocol === 4 && code === 0x80) return 'Failure (0x80)';
  return `${NAMES[code] ?? 'Refused'} (${hex(code)})`;
}

/** A reason code that refuses the packet (0x80 and above). */
export const isRefusal = (code: unknown): code is number => typeof code === 'number' && code >= 0x80;

/**
 * DISCONNECT reasons after which the publish in flight is taken to be what the broker refused
 * (rather than a broker going down for everyone).
 */
const REFUSING_DISCONNECTS = new Set([0x83, 0x87, 0x90, 0x95, 0x96, 0x97, 0x99, 0x9a, 0x9b]);
export const refusesPublish = (code: number | undefined) => code !== undefined && REFUSING_DISCONNECTS.has(code);

/** How many closes with the same topic in flight, and no reason given, before it is held. */
const CLOSES_BEFORE_HOLD = 2;
/**
 * A broker that closes the connection over a publish does so as it reads it: a round trip
 * after it was sent, plus this station's event-loop delay. A publish in flight for longer
 * waited on something else (a PUBACK behind a backlog of redelivered messages) when the
 * connection ended: it was not what the broker refused.
 */
export const REFUSING_CLOSE_MS = 2_000;

/** A publish in flight when the connection closed: its topic, and how long since it was sent. */
export interface InFlight {
  topic: string;
  ageMs: number;
}

/**
 * What the broker has refused this station, by kind and topic: set by a refusing PUBACK or
 * SUBACK, cleared by a later success on that topic (a publish acknowledged, a subscription
 * granted). Subscriptions are judged again at each new subscribe. A broker that answers a
 * refused publish by closing the connection (allowed by MQTT 3.1.1, and by MQTT 5 with a
 * DISCONNECT reason) cannot tell which topic it refused: a topic in flight at two such closes
 * in a row (or at one with a refusing DISCONNECT reason) is held, and the link publishes it
 * no more in this run, so the link cannot flap on it.
 *
 * A broker that crashes or restarts also closes connections with publishes in flight, and
 * holding a topic for that (the audit head, presence) would stop it for the rest of the run.
 * So a close counts against a topic only if its publish was sent just before the close
 * (REFUSING_CLOSE_MS) and the broker took the next connection at once (a broker that refused a
 * publish is still up; one that went down refuses the next connect, which clears the count).
 */
export class BrokerRefusals {
  private readonly refused = new Map<string, BrokerRefusal>();
  /** Closes with a topic in flight and no acknowledgement, by topic. */
  private readonly suspects = new Map<string, number>();
  /** Topics in flight at the last close, counted once the next connection is taken. */
  private pending: string[] = [];

  constructor(
    private readonly now: () => Date,
    private readonly onChange: (refusals: BrokerRefusal[]) => void,
  ) {}

  list(): BrokerRefusal[] {
    return [...this.refused.values()];
  }

  /** Whether the link has stopped publishing this topic (see the class comment). */
  held(topic: string): BrokerRefusal | null {
    const r = this.refused.get(`publish ${topic}`);
    return r?.held ? r : null;
  }

  /** A refusing reason code; returns the refusal if it is new (to log it once). */
  refuse(
    kind: BrokerRefusal['kind'],
    topic: string,
    code: number,
    protocol: 4 | 5,
    held = false,
  ): BrokerRefusal | null {
    const key = `${kind} ${topic}`;
    const before = this.refused.get(key);
    if (before && before.code === code && before.held === held) return null;
    const refusal = { kind, topic, code, reason: reasonName(code, protocol), at: this.now().toISOString(), held };
    this.refused.set(key, refusal);
    this.onChange(this.list());
    return refusal;
  }

  accept(kind: BrokerRefusal['kind'], topic: string): void {
    if (kind === 'publish') this.suspects.delete(topic);
    if (this.refused.delete(`${kind} ${topic}`)) this.onChange(this.list());
  }

  /**
   * The connection closed with these publishes unacknowledged. Returns the topics now held: a
   * refusing DISCONNECT (MQTT 5) with one topic in flight names it at once; otherwise the
   * topics sent just before the close wait for the next connection (`reconnected`).
   * `disconnectReason`: the reason code of the broker's DISCONNECT, if one came.
   */
  closedWithInFlight(flights: InFlight[], disconnectReason: number | undefined, protocol: 4 | 5): BrokerRefusal[] {
    const unique = [...new Set(flights.map((f) => f.topic))];
    if (refusesPublish(disconnectReason) && unique.length === 1) {
      this.suspects.set(unique[0]!, CLOSES_BEFORE_HOLD);
      const r = this.refuse('publish', unique[0]!, disconnectReason!, protocol, true);
      return r ? [r] : [];
    }
    this.pending = [...new Set(flights.filter((f) => f.ageMs <= REFUSING_CLOSE_MS).map((f) => f.topic))];
    return [];
  }

  /**
   * The broker took a connection: the topics in flight at the close before it count against
   * them (the broker was up, so it may have closed over one of them). Returns those now held.
   */
  reconnected(protocol: 4 | 5): BrokerRefusal[] {
    const held: BrokerRefusal[] = [];
    for (const topic of this.pending) {
      const n = (this.suspects.get(topic) ?? 0) + 1;
      this.suspects.set(topic, n);
      if (n < CLOSES_BEFORE_HOLD) continue;
      const r = this.refuse('publish', topic, 0, protocol, true);
      if (r) held.push(r);
    }
    this.pending = [];
    return held;
  }

  /**
   * Whether a close with publishes in flight has not been explained yet: publishers send one
   * at a time meanwhile, so the next close names one topic and an innocent one (sent beside
   * it after each reconnect) is acknowledged instead of held with it.
   */
  suspecting(): boolean {
    return this.suspects.size > 0 || this.pending.length > 0;
  }

  /**
   * A close with nothing in flight, or no broker to connect to after a close (it went down, it
   * did not refuse what was in flight): whatever was suspected before was not the cause.
   */
  closedIdle(): void {
    this.suspects.clear();
    this.pending = [];
  }
}
