import type { Database, Statement } from 'better-sqlite3';
import type { Logger } from '../log';
import type { FieldLink } from './link';

export interface OutboxMessage {
  id: string;
  topic: string;
  payload: string;
  retain?: boolean;
}

const BATCH = 100;
const RETRY_EVERY_MS = 5000;

/**
 * Station-originated messages (operators' changes to alarms, incidents, handovers), written
 * in the same transaction as the change they describe and published at QoS 1 when the link
 * is up. A row is marked sent only on the broker's PUBACK; anything unsent is sent again
 * after a reconnect or a restart, and receivers ignore ids they have applied.
 * Valve commands never come here: a command that cannot be sent now is refused, not queued.
 */
export class Outbox {
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly insert: Statement;
  private readonly unsent: Statement;
  private readonly markSent: Statement;
  private readonly bumpAttempts: Statement;
  published = 0;

  constructor(
    private readonly db: Database,
    private readonly link: Pick<FieldLink, 'online' | 'publish'>,
    private readonly log: Logger,
    private readonly now: () => Date,
  ) {
    this.insert = db.prepare(
      'INSERT INTO outbox (id, topic, payload, qos, retain, created_at) VALUES (?, ?, ?, 1, ?, ?)',
    );
    this.unsent = db.prepare(
      'SELECT id, topic, payload, retain FROM outbox WHERE sent_at IS NULL ORDER BY created_at, id LIMIT ?',
    );
    this.markSent = db.prepare('UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL');
    this.bumpAttempts = db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?');
  }

  /** Call inside the transaction that makes the change; `kick()` after it commits. */
  enqueue(m: OutboxMessage): void {
    this.insert.run(m.id, m.topic, m.payload, m.retain ? 1 : 0, this.now().toISOString());
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), RETRY_EVERY_MS);
    this.timer.unref();
    this.kick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A new connection: whatever was in flight on the old one is sent again. */
  onOnline(): void {
    this.inFlight.clear();
    this.kick();
  }

  unsentCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL').get() as { n: number }).n;
  }

  /** Publishes what is unsent and not already on its way. */
  kick(): void {
    if (!this.link.online) return;
    const rows = this.unsent.all(BATCH + this.inFlight.size) as {
      id: string;
      topic: string;
      payload: string;
      retain: number;
    }[];
    for (const row of rows) {
      if (this.inFlight.has(row.id)) continue;
      this.inFlight.add(row.id);
      this.bumpAttempts.run(row.id);
      this.link
        .publish(row.topic, row.payload, { retain: row.retain === 1 })
        .then(() => {
          this.markSent.run(this.now().toISOString(), row.id);
          this.published++;
          this.inFlight.delete(row.id);
          if (this.inFlight.size === 0) this.kick();
        })
        .catch((err: unknown) => {
          this.inFlight.delete(row.id);
          this.log.debug('outbox message not sent yet', { id: row.id, error: err });
        });
    }
  }
}
