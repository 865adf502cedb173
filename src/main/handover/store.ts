import type { Sql } from '../store/sql';
import type { Tables } from '../store/tables';
import type { HandoverContent, HandoverReport, AuditHeadMark } from './report';

/**
 * What the handover service keeps in the store, in its words: the reports prepared here and
 * those signed off on other consoles, each signed off once and acknowledged once.
 */
export interface HandoverStore {
  report(id: string): HandoverReport | null;
  /** Every report, the newest first. */
  reports(): HandoverReport[];
  /** When the last signed-off shift ended (null before the first sign-off). */
  lastSignedOffShiftEnd(): string | null;
  /** A report prepared here, with the clock of its preparation. */
  addPrepared(r: HandoverReport, hlc: string): void;
  /** A signed report from another console, unless this one has it already. */
  addSigned(r: HandoverReport): void;
  /** The outgoing operator's sign-off, with their notes. */
  signOff(id: string, notes: string, at: string, auditHead: AuditHeadMark | null): void;
  /** The incoming operator's acknowledgement. */
  acknowledge(id: string, incoming: string, at: string): void;
  /** Another console's sign-off, unless the report is signed off here already. */
  mergeSignOff(id: string, notes: string, at: string, auditHead: AuditHeadMark | null): void;
  /** Another console's acknowledgement, unless the report is acknowledged here already. */
  mergeAcknowledgement(id: string, incoming: string, at: string): void;
}

type Row = Tables['handover_reports'];

/** The handover store on the station's database. */
export class SqlHandoverStore implements HandoverStore {
  constructor(
    private readonly sql: Sql,
    private readonly siteId: string,
  ) {}

  report(id: string): HandoverReport | null {
    const r = this.sql.first(this.sql.q.selectFrom('handover_reports').selectAll().where('id', '=', id));
    if (!r) return null;
    return {
      id: r.id,
      site: r.site_id,
      station: r.station_id,
      outgoing: r.outgoing,
      incoming: r.incoming,
      notes: r.notes,
      signedOffAt: r.signed_off_at,
      acknowledgedAt: r.acknowledged_at,
      shiftStart: r.shift_start,
      shiftEnd: r.shift_end,
      createdAt: r.created_at,
      content: JSON.parse(r.content) as HandoverContent,
    };
  }

  reports(): HandoverReport[] {
    return this.sql
      .all(this.sql.q.selectFrom('handover_reports').select('id').orderBy('created_at', 'desc'))
      .map((r) => this.report(r.id)!);
  }

  lastSignedOffShiftEnd(): string | null {
    const last = this.sql.first(
      this.sql.q
        .selectFrom('handover_reports')
        .select('shift_end')
        .where('signed_off_at', 'is not', null)
        .orderBy('shift_end', 'desc')
        .limit(1),
    );
    return last?.shift_end ?? null;
  }

  addPrepared(r: HandoverReport, hlc: string): void {
    this.sql.run(this.sql.q.insertInto('handover_reports').values(this.newRow(r, hlc)));
  }

  addSigned(r: HandoverReport): void {
    this.sql.run(
      this.sql.q
        .insertInto('handover_reports')
        .values(this.newRow(r, ''))
        .onConflict((oc) => oc.column('id').doNothing()),
    );
  }

  signOff(id: string, notes: string, at: string, auditHead: AuditHeadMark | null): void {
    this.update(id, { notes, signed_off_at: at, ...this.withHead(id, auditHead) });
  }

  acknowledge(id: string, incoming: string, at: string): void {
    this.update(id, { incoming, acknowledged_at: at });
  }

  mergeSignOff(id: string, notes: string, at: string, auditHead: AuditHeadMark | null): void {
    this.update(id, { notes, signed_off_at: at, ...this.withHead(id, auditHead) }, 'signed_off_at');
  }

  /** The report's content with the audit head of its sign-off added. */
  private withHead(id: string, auditHead: AuditHeadMark | null): Partial<Row> {
    const r = this.report(id);
    return r && auditHead ? { content: JSON.stringify({ ...r.content, auditHead }) } : {};
  }

  mergeAcknowledgement(id: string, incoming: string, at: string): void {
    this.update(id, { incoming, acknowledged_at: at }, 'acknowledged_at');
  }

  /** Sets columns of a report; with `unlessSet`, only while that column is null. */
  private update(id: string, set: Partial<Row>, unlessSet?: 'signed_off_at' | 'acknowledged_at'): void {
    let q = this.sql.q.updateTable('handover_reports').set(set).where('id', '=', id);
    if (unlessSet) q = q.where(unlessSet, 'is', null);
    this.sql.run(q);
  }

  /** A report's row before anyone acknowledged it here (the acknowledgement sets who and when). */
  private newRow(r: HandoverReport, hlc: string) {
    return {
      id: r.id,
      site_id: this.siteId,
      station_id: r.station,
      shift_start: r.shiftStart,
      shift_end: r.shiftEnd,
      outgoing: r.outgoing,
      incoming: null,
      notes: r.notes,
      content: JSON.stringify(r.content),
      created_at: r.createdAt,
      signed_off_at: r.signedOffAt,
      acknowledged_at: null,
      hlc,
    };
  }
}
