import type { Logger } from '../log';

export type RejectReason =
  | 'oversize'
  | 'unknown_topic'
  | 'wrong_site'
  | 'not_json'
  | 'version'
  | 'schema'
  | 'empty'
  | 'apply_failed'
  /** The gateway or station in the topic is not the one the payload names, or not the valve's or point's owner. */
  | 'owner';

const LOG_EVERY_MS = 10_000;

/**
 * What ingest took in, refused and dropped, by reason and topic pattern. Rejections are
 * logged at a limited rate: the first of each kind at once, then one summary line per
 * 10 s, so a flood of garbage cannot flood the log.
 */
export class IngestCounters {
  readonly accepted = new Map<string, number>();
  readonly rejected = new Map<string, number>();
  /** Telemetry samples dropped because the write queue was full (oldest first). */
  dropped = 0;
  /** Telemetry samples committed to the store. */
  written = 0;
  writeErrors = 0;
  private sinceLog = 0;
  private lastLogAt = 0;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  accept(kind: string): void {
    this.accepted.set(kind, (this.accepted.get(kind) ?? 0) + 1);
  }

  reject(reason: RejectReason, pattern: string, detail: string): void {
    const key = `${reason} ${pattern}`;
    const n = (this.rejected.get(key) ?? 0) + 1;
    this.rejected.set(key, n);
    const now = this.now();
    if (n === 1) {
      this.log.warn('field message rejected', { reason, topic: pattern, detail });
    } else if (now - this.lastLogAt >= LOG_EVERY_MS) {
      this.log.warn('field messages rejected', {
        since_last_report: this.sinceLog + 1,
        by_reason: Object.fromEntries(this.rejected),
      });
      this.lastLogAt = now;
      this.sinceLog = 0;
      return;
    }
    this.sinceLog++;
  }

  totalRejected(): number {
    let n = 0;
    for (const v of this.rejected.values()) n += v;
    return n;
  }

  snapshot() {
    return {
      accepted: Object.fromEntries(this.accepted),
      rejected: Object.fromEntries(this.rejected),
      rejected_total: this.totalRejected(),
      dropped_samples: this.dropped,
      written_samples: this.written,
      write_errors: this.writeErrors,
    };
  }
}
