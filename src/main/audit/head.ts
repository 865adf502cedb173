import type { AuditHeadMessage } from '../../shared/protocol';
import { topics } from '../../shared/protocol';
import { guardTick, type Logger } from '../log';
import type { Outbox } from '../sync/outbox';
import { Snapshots } from '../sync/snapshots';
import type { AuditLog } from './audit-log';

/** How often the head is published while the log grows (the issue: at least every minute). */
export const HEAD_EVERY_MS = 60_000;

/**
 * Keeps a copy of the audit chain's head off the workstation: the station publishes its last
 * row's sequence number and hash, retained on its own topic (through the outbox, so a head
 * due while the broker was away goes out once it is back), at start, once a minute while the
 * log grows, and at every handover sign-off. Someone who later rewrites the log from some row
 * on, hashes and all, cannot make it hold the head the broker kept (`plainview audit verify
 * --broker`). What it does not prove: docs/safety.md, "Audit trail".
 */
export class AuditHeadPublisher {
  private readonly snapshots: Snapshots;
  private lastSeq = -1;
  /** A head is due that the database has not queued yet (it refused the write: a full disk). */
  private due = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly o: {
      audit: AuditLog;
      outbox: Pick<Outbox, 'provide' | 'enqueueSnapshot' | 'kick'>;
      siteId: string;
      stationId: string;
      now: () => Date;
      log: Logger;
    },
  ) {
    this.snapshots = new Snapshots(
      o.outbox,
      () => topics.auditHead(o.siteId, o.stationId),
      () => this.message(),
    );
  }

  start(): void {
    this.publishNow();
    this.timer = setInterval(() => this.publishIfGrown(), HEAD_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Due now (a handover sign-off), whether or not it moved since the last one. Never throws:
   * a head the database cannot queue (a full disk) stays due, and the next minute queues it.
   */
  publishNow(): void {
    this.due = true;
    this.publishIfGrown();
  }

  private publishIfGrown(): void {
    guardTick(this.o.log, 'queueing the audit head for the broker', () => {
      const seq = this.o.audit.head().seq;
      if (!this.due && seq === this.lastSeq) return;
      this.snapshots.due('');
      this.lastSeq = seq;
      this.due = false;
    });
  }

  /** Built when sent: the head as it is then (a later one than was due is only better). */
  private message(): AuditHeadMessage {
    const head = this.o.audit.head();
    return { v: 2, station: this.o.stationId, seq: head.seq, hash: head.hash, at: this.o.now().toISOString() };
  }
}
