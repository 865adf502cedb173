import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { PROTOCOL_VERSION, topics, type StationEventMessage } from '../../shared/protocol';
import type { Outbox } from './outbox';

/**
 * Events operators' changes make, shared with every station of the site. Publishing writes
 * the event to the outbox and marks it applied here, in the caller's transaction; receiving
 * applies an event only if its id is new, so a redelivery or our own echo changes nothing.
 */
export class StationEvents {
  private readonly markApplied: Statement;
  duplicates = 0;

  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
    private readonly siteId: string,
    private readonly stationId: string,
    private readonly now: () => Date,
    private readonly onApply: (event: StationEventMessage) => void,
  ) {
    this.markApplied = db.prepare('INSERT OR IGNORE INTO applied_events (id, applied_at) VALUES (?, ?)');
  }

  /** Records and queues an event; `change` runs in the same transaction (the change it describes). */
  publish(
    type: string,
    body: Record<string, unknown>,
    change?: (event: StationEventMessage) => void,
  ): StationEventMessage {
    const event: StationEventMessage = {
      v: PROTOCOL_VERSION,
      id: randomUUID(),
      type,
      station: this.stationId,
      ts: this.now().toISOString(),
      body,
    };
    this.db
      .transaction(() => {
        change?.(event);
        this.markApplied.run(event.id, event.ts);
        this.outbox.enqueue({
          id: event.id,
          topic: topics.stationEvents(this.siteId, this.stationId),
          payload: JSON.stringify(event),
        });
      })
      .immediate();
    this.outbox.kick();
    return event;
  }

  /**
   * An event from the broker: applied once, however often it arrives. Marking it applied and
   * applying it are one transaction: if applying throws, the event is not marked, and a
   * redelivery tries again.
   */
  receive(event: StationEventMessage): boolean {
    return this.db
      .transaction(() => {
        const fresh = this.markApplied.run(event.id, this.now().toISOString()).changes === 1;
        if (!fresh) {
          this.duplicates++;
          return false;
        }
        this.onApply(event);
        return true;
      })
      .immediate();
  }
}
