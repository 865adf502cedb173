import type { Logger } from '../log';
import { RejectLog } from './reject-log';

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

/**
 * What ingest took in, refused and dropped, by reason and topic pattern; rejections are
 * logged at a limited rate (RejectLog).
 */
export class IngestCounters {
  readonly accepted = new Map<string, number>();
  readonly rejected = new Map<string, number>();
  /** Telemetry samples dropped because the write queue was full (oldest first). */
  dropped = 0;
  /** Telemetry samples committed to the store. */
  written = 0;
  /**
   * Samples for a point and time already stored (a redelivery, or a gateway stamping two
   * values with one time): the first one stored is kept, the later ones counted here.
   */
  duplicates = 0;
  /** Samples older than the raw history kept (retention would drop them at once): not stored. */
  tooOld = 0;
  /** Samples within their point's compression deviation: not stored (docs/data-model.md). */
  compressed = 0;
  writeErrors = 0;
  private readonly rejectLog: RejectLog;

  constructor(log: Logger, now: () => number) {
    this.rejectLog = new RejectLog(log, now, { one: 'field message rejected', many: 'field messages rejected' });
  }

  accept(kind: string): void {
    this.accepted.set(kind, (this.accepted.get(kind) ?? 0) + 1);
  }

  reject(reason: RejectReason, pattern: string, detail: string): void {
    const key = `${reason} ${pattern}`;
    const n = (this.rejected.get(key) ?? 0) + 1;
    this.rejected.set(key, n);
    this.rejectLog.note(n, { reason, topic: pattern, detail }, () => ({
      by_reason: Object.fromEntries(this.rejected),
    }));
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
      duplicate_samples: this.duplicates,
      too_old_samples: this.tooOld,
      compressed_samples: this.compressed,
      write_errors: this.writeErrors,
    };
  }
}
