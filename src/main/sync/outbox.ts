import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { Logger } from '../log';

/** How the outbox reaches the broker: the field link, as the station wires it. */
export interface Publisher {
  /** Whether publishing can succeed now. */
  online(): boolean;
  /** Whether to have one message in flight at most (the broker closed on one of several). */
  oneAtATime?(): boolean;
  /** Resolves when the broker has the message (QoS 1 PUBACK). */
  publish(topic: string, payload: string, options: { retain: boolean }): Promise<void>;
}

export interface OutboxMessage {
  id: string;
  topic: string;
  payload: string;
  retain?: boolean;
}

/** Builds a retained snapshot's payload when it is sent; null when there is nothing to send. */
export type SnapshotBuilder = (topic: string) => string | null;

const BATCH = 100;
const RETRY_EVERY_MS = 5000;
/**
 * A snapshot is built and sent this long after the first change that made it due: the
 * changes of a busy incident or a chattering alarm share one, instead of each writing and
 * publishing the whole timeline again (at 50 notes a second that was 17 MB/s of writes).
 */
export const SNAPSHOT_SETTLE_MS = 1000;
/** Sent messages stay this long (what this station published, and when), then go. */
export const SENT_KEEP_DAYS = 30;
const PRUNE_FIRST_MS = 60_000;
const PRUNE_EVERY_MS = 3_600_000;

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
  private readonly supersede: Statement;
  private readonly remove: Statement;
  private readonly pruneSent: Statement;
  private readonly builders: [prefix: string, build: SnapshotBuilder][] = [];
  /** Snapshot topics due, and when (monotonic) the outbox first saw them due. */
  private readonly due = new Map<string, number>();
  private settleTimer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  published = 0;

  constructor(
    private readonly db: Database,
    private readonly publisher: Publisher,
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
    this.supersede = db.prepare('DELETE FROM outbox WHERE topic = ? AND retain = 1');
    this.remove = db.prepare('DELETE FROM outbox WHERE id = ?');
    this.pruneSent = db.prepare('DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?');
  }

  /** Who builds the snapshots whose topics start with `prefix`. */
  provide(prefix: string, build: SnapshotBuilder): void {
    this.builders.push([prefix, build]);
  }

  /**
   * Call inside the transaction that makes the change: the topic's retained snapshot is due.
   * It replaces the one queued or sent before it (a retained message supersedes the last), and
   * its payload is built from the store when it is sent, so it is always the latest. The row
   * makes it durable: a snapshot due when the station stopped is sent after the restart.
   */
  enqueueSnapshot(topic: string): void {
    this.supersede.run(topic);
    this.insert.run(randomUUID(), topic, '', 1, this.now().toISOString());
  }

  /** Call inside the transaction that makes the change; `kick()` after it commits. */
  enqueue(m: OutboxMessage): void {
    this.insert.run(m.id, m.topic, m.payload, m.retain ? 1 : 0, this.now().toISOString());
  }

  /**
   * Moves unsent messages to the topics `rewrite` gives (null: keep), before the first send;
   * a retained message whose new topic already has an unsent one gives way to it. Answers
   * how many moved. For a station upgraded from protocol v1 with messages still queued.
   */
  retopic(rewrite: (topic: string) => string | null): number {
    const rows = this.db.prepare('SELECT id, topic, retain FROM outbox WHERE sent_at IS NULL').all() as {
      id: string;
      topic: string;
      retain: number;
    }[];
    const move = this.db.prepare('UPDATE outbox SET topic = ? WHERE id = ?');
    const taken = this.db.prepare('SELECT 1 FROM outbox WHERE topic = ? AND retain = 1 AND sent_at IS NULL');
    let moved = 0;
    this.db
      .transaction(() => {
        for (const r of rows) {
          const to = rewrite(r.topic);
          if (!to || to === r.topic) continue;
          if (r.retain && taken.get(to)) this.remove.run(r.id);
          else move.run(to, r.id);
          moved++;
        }
      })
      .immediate();
    if (moved) this.log.info('queued messages moved to their new topics', { moved });
    return moved;
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), RETRY_EVERY_MS);
    this.timer.unref();
    // The first a minute after start, off the start-up path (the delete reads the whole table).
    const prune = (after: number) => {
      this.pruneTimer = setTimeout(() => {
        this.prune();
        prune(PRUNE_EVERY_MS);
      }, after);
      this.pruneTimer.unref();
    };
    prune(PRUNE_FIRST_MS);
    this.kick();
  }

  /** Deletes messages sent more than SENT_KEEP_DAYS ago; never an unsent one. Returns how many. */
  prune(): number {
    const cut = new Date(this.now().getTime() - SENT_KEEP_DAYS * 86_400_000).toISOString();
    try {
      return this.pruneSent.run(cut).changes;
    } catch (err) {
      // A full or read-only disk: they are kept until the next hour.
      this.log.warn('pruning sent outbox messages failed', { error: err });
      return 0;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.pruneTimer) clearTimeout(this.pruneTimer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = null;
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
    // Kicked from timers and acks: a database that refuses writes (a full disk) leaves the rows
    // unsent for a later kick instead of throwing out of a timer.
    try {
      this.send();
    } catch (err) {
      this.log.warn('outbox cannot send now (the database refused); trying again later', { error: err });
    }
  }

  private send(): void {
    if (!this.publisher.online()) return;
    const rows = this.unsent.all(BATCH + this.inFlight.size) as {
      id: string;
      topic: string;
      payload: string;
      retain: number;
    }[];
    const most = this.publisher.oneAtATime?.() ? 1 : BATCH;
    for (const row of rows) {
      if (this.inFlight.size >= most) return;
      if (this.inFlight.has(row.id)) continue;
      const payload = row.payload === '' ? this.snapshot(row.topic, row.id) : row.payload;
      if (payload === null) continue;
      this.bumpAttempts.run(row.id);
      this.inFlight.add(row.id);
      this.publisher
        .publish(row.topic, payload, { retain: row.retain === 1 })
        .then(() => {
          this.inFlight.delete(row.id);
          this.markSent.run(this.now().toISOString(), row.id);
          this.published++;
          if (this.inFlight.size === 0) this.kick();
        })
        .catch((err: unknown) => {
          this.inFlight.delete(row.id);
          // Not marked sent (not delivered, or the mark not written): sent again later, and
          // receivers apply an event id once.
          this.log.debug('outbox message not sent yet', { id: row.id, error: err });
        });
    }
  }

  /** A due snapshot's payload once it has settled (null meanwhile, or if there is none to send). */
  private snapshot(topic: string, id: string): string | null {
    const t = performance.now();
    const since = this.due.get(topic) ?? t;
    this.due.set(topic, since);
    if (t - since < SNAPSHOT_SETTLE_MS) {
      if (!this.settleTimer) {
        this.settleTimer = setTimeout(
          () => {
            this.settleTimer = null;
            this.kick();
          },
          since + SNAPSHOT_SETTLE_MS - t,
        );
        this.settleTimer.unref();
      }
      return null;
    }
    this.due.delete(topic);
    const build = this.builders.find(([prefix]) => topic.startsWith(prefix))?.[1];
    const payload = build ? build(topic) : null;
    if (payload === null) {
      this.log.warn('no snapshot to send; dropped', { topic });
      this.remove.run(id);
    }
    return payload;
  }
}
