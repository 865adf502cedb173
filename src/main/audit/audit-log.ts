import type { Statement } from 'better-sqlite3';
import type { AuditEntry, NewAuditEntry } from '../../shared/audit';
import type { Sql } from '../store/sql';
import { EMPTY_HEAD, rowHash, verifyRows, type ChainCheck, type ChainHead, type StoredRow } from './chain';

export interface AuditQuery {
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  limit?: number;
  /** The newest `limit` entries rather than the oldest (returned oldest first either way). */
  newest?: boolean;
}

/** Rows read per page when the chain is walked: memory stays flat for any length of log. */
const VERIFY_PAGE = 5000;

/*
 * Appending is on the hot path of every valve command (its audit row commits before the command
 * may leave): the head read and the insert are prepared once, not built per call.
 */
const HEAD = 'SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1';
const INSERT = `INSERT INTO audit_log
  (id, at, actor, station_id, action, subject, result, correlation_id, request_id, detail, hash)
  VALUES (@id, @at, @actor, @station_id, @action, @subject, @result, @correlation_id, @request_id, @detail, @hash)`;

/**
 * The append-only audit log, a hash chain (chain.ts). The store's triggers refuse UPDATE and
 * DELETE, so this class offers only append and read: there is no other way to touch it.
 */
export class AuditLog {
  private hasChain: boolean | undefined;
  /** Prepared on first use: a database below schema v8 has no hash column to prepare them against. */
  private chainSql: { head: Statement; insert: Statement } | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Appends one row, linked to the last one. The id is the next sequence number, given
   * explicitly: a second writer (a CLI command beside the station) that read the same head
   * fails on the primary key instead of forking the chain.
   */
  append(entry: NewAuditEntry): number {
    if (!this.chained()) return this.appendUnchained(entry);
    // IMMEDIATE when on its own: the write lock is taken before the head is read, so a CLI
    // command appending beside the station waits its turn instead of failing on a stale read.
    const write = (fn: () => number) => (this.sql.db.inTransaction ? fn() : this.sql.db.transaction(fn).immediate());
    return write(() => {
      const head = this.head();
      const row = { id: head.seq + 1, ...this.row(entry) };
      this.prepared().insert.run({ ...row, hash: rowHash(head.hash, row) });
      return row.id;
    });
  }

  /**
   * Whether this database's audit log is a chain (schema v8 on). The CLI also audits
   * maintenance on older schemas: `db rollback` below v8 records itself after the column went.
   */
  private chained(): boolean {
    this.hasChain ??=
      this.sql.db.prepare("SELECT 1 FROM pragma_table_info('audit_log') WHERE name = 'hash'").pluck().get() !==
      undefined;
    return this.hasChain;
  }

  private prepared(): { head: Statement; insert: Statement } {
    this.chainSql ??= { head: this.sql.db.prepare(HEAD), insert: this.sql.db.prepare(INSERT) };
    return this.chainSql;
  }

  private appendUnchained(entry: NewAuditEntry): number {
    const row = this.row(entry);
    return Number(this.sql.run(this.sql.q.insertInto('audit_log').values(row)).lastInsertRowid);
  }

  private row(entry: NewAuditEntry) {
    return {
      at: this.now().toISOString(),
      actor: entry.actor,
      station_id: entry.stationId,
      action: entry.action,
      subject: entry.subject,
      result: entry.result,
      correlation_id: entry.correlationId,
      request_id: entry.requestId,
      detail: JSON.stringify(entry.detail),
    };
  }

  /** The last row's sequence number and hash: what the station publishes as its chain head. */
  head(): ChainHead {
    const r = this.prepared().head.get() as { id: number; hash: string | null } | undefined;
    return r ? { seq: r.id, hash: r.hash ?? '' } : EMPTY_HEAD;
  }

  /**
   * Walks the chain from row `afterSeq + 1` to the end (the whole log by default), trusting
   * the stored hash of row `afterSeq` as its start.
   */
  verify(afterSeq = 0): ChainCheck {
    const start = afterSeq > 0 ? this.headAt(afterSeq) : EMPTY_HEAD;
    if (!start) return { ok: false, broken: { id: afterSeq, at: '', action: '', problem: 'it is missing' }, rows: 0 };
    let from = start;
    let rows = 0;
    for (;;) {
      const page = this.sql.all(
        this.sql.q.selectFrom('audit_log').selectAll().where('id', '>', from.seq).orderBy('id').limit(VERIFY_PAGE),
      ) as StoredRow[];
      const check = verifyRows(page, from);
      rows += check.rows;
      if (!check.ok || page.length < VERIFY_PAGE) return { ...check, rows };
      from = check.head;
    }
  }

  /** Row `seq`'s sequence number and hash, or null when the log has no such row. */
  headAt(seq: number): ChainHead | null {
    const r = this.sql.first(this.sql.q.selectFrom('audit_log').select(['id', 'hash']).where('id', '=', seq));
    return r ? { seq: r.id, hash: r.hash ?? '' } : null;
  }

  list(query: AuditQuery = {}): AuditEntry[] {
    let q = this.sql.q
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('id', query.newest ? 'desc' : 'asc');
    if (query.since) q = q.where('at', '>=', query.since);
    if (query.until) q = q.where('at', '<', query.until);
    if (query.actor) q = q.where('actor', '=', query.actor);
    if (query.action) q = q.where('action', '=', query.action);
    const rows = this.sql.all(q.limit(query.limit ?? 1000));
    if (query.newest) rows.reverse();
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      stationId: r.station_id,
      action: r.action,
      subject: r.subject,
      result: r.result,
      correlationId: r.correlation_id,
      requestId: r.request_id,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }
}
