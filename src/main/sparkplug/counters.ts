import type { Logger } from '../log';
import { RejectLog } from '../field/reject-log';

/**
 * Why the host set a Sparkplug message (or one metric of it) aside. Counted by reason and
 * message type (`NDATA`, not the topic: random node names cannot grow the map).
 */
export type SparkplugReject =
  | 'oversize'
  | 'unknown_topic'
  | 'not_protobuf'
  | 'invalid'
  | 'wrong_type'
  | 'before_birth'
  | 'unknown_alias'
  | 'seq_gap'
  | 'duplicate_seq'
  | 'awaiting_rebirth'
  | 'bdseq_mismatch'
  | 'not_state_json'
  | 'apply_failed';

/**
 * What the Sparkplug host took in and set aside, in the ingest counters' style: the first
 * rejection of each kind is logged at once, then one summary line per 10 s at most.
 */
export class SparkplugCounters {
  readonly accepted = new Map<string, number>();
  readonly rejected = new Map<string, number>();
  /** Metrics set aside inside messages otherwise taken (a wrong type, an unknown alias). */
  readonly metricIssues = new Map<string, number>();
  rebirthsRequested = 0;
  private readonly rejectLog: RejectLog;

  constructor(log: Logger, now: () => number) {
    this.rejectLog = new RejectLog(log, now, {
      one: 'sparkplug message set aside',
      many: 'sparkplug messages set aside',
    });
  }

  accept(kind: string): void {
    this.accepted.set(kind, (this.accepted.get(kind) ?? 0) + 1);
  }

  /** A whole message set aside: each message is accepted or rejected exactly once. */
  reject(reason: SparkplugReject, kind: string, detail: string): void {
    this.count(this.rejected, reason, kind, detail);
  }

  /** One metric of a message set aside; the message itself is still counted once. */
  metric(reason: SparkplugReject, kind: string, detail: string): void {
    this.count(this.metricIssues, reason, kind, detail);
  }

  private count(map: Map<string, number>, reason: SparkplugReject, kind: string, detail: string): void {
    const key = `${reason} ${kind}`;
    const n = (map.get(key) ?? 0) + 1;
    map.set(key, n);
    this.rejectLog.note(n, { reason, type: kind, detail }, () => ({
      by_reason: Object.fromEntries(this.rejected),
      metrics: Object.fromEntries(this.metricIssues),
    }));
  }

  total(map: Map<string, number>): number {
    let n = 0;
    for (const v of map.values()) n += v;
    return n;
  }

  snapshot() {
    return {
      accepted: Object.fromEntries(this.accepted),
      rejected: Object.fromEntries(this.rejected),
      rejected_total: this.total(this.rejected),
      metric_issues: Object.fromEntries(this.metricIssues),
      rebirths_requested: this.rebirthsRequested,
    };
  }
}
