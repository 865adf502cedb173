import { entryFromPresence, flagBehind, sortFleet, type FleetEntry } from '../../shared/fleet';
import type { AuditHeadMessage, PresenceMessage } from '../../shared/protocol';

/**
 * What this station hears of every station and gateway of its site: the presence each
 * publishes (retained, with an `offline` will), kept by id. A station's birth reports its
 * version, schema, channel, demo flag, health and last backup; stations behind the newest
 * version seen are flagged when listed.
 */
export class Fleet {
  private readonly entries = new Map<string, Omit<FleetEntry, 'behind'>>();
  private readonly heads = new Map<string, AuditHeadMessage>();

  constructor(private readonly now: () => Date) {}

  /** A presence arrived (already checked against its schema by ingest). */
  hear(kind: FleetEntry['kind'], id: string, message: PresenceMessage): void {
    const key = `${kind}/${id}`;
    this.entries.set(key, entryFromPresence(kind, id, message, this.now().toISOString(), this.entries.get(key)));
  }

  /**
   * A station's published audit chain head: the newest kept (a retained copy that arrives
   * late never replaces a later one). Each station holds the others' heads in memory, so a
   * head also survives on every other console while the broker keeps it.
   */
  hearAuditHead(m: AuditHeadMessage): void {
    const known = this.heads.get(m.station);
    if (!known || m.seq >= known.seq) this.heads.set(m.station, m);
  }

  auditHead(station: string): AuditHeadMessage | null {
    return this.heads.get(station) ?? null;
  }

  /** Every station and gateway heard, stations first; an online one is seen now. */
  list(): FleetEntry[] {
    const now = this.now().toISOString();
    const seen = [...this.entries.values()].map((e) => (e.status === 'online' ? { ...e, lastSeenAt: now } : e));
    return sortFleet(flagBehind(seen));
  }
}
