import type { AuditEntry, NewAuditEntry } from '../../shared/audit';
import type { Sql } from '../store/sql';

export interface AuditQuery {
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  limit?: number;
  /** The newest `limit` entries rather than the oldest (returned oldest first either way). */
  newest?: boolean;
}

/**
 * The append-only audit log. The store's triggers refuse UPDATE and DELETE, so this class
 * offers only append and read: there is no other way to touch it.
 */
export class AuditLog {
  constructor(
    private readonly sql: Sql,
    private readonly now: () => Date = () => new Date(),
  ) {}

  append(entry: NewAuditEntry): number {
    const result = this.sql.run(
      this.sql.q.insertInto('audit_log').values({
        at: this.now().toISOString(),
        actor: entry.actor,
        station_id: entry.stationId,
        action: entry.action,
        subject: entry.subject,
        result: entry.result,
        correlation_id: entry.correlationId,
        request_id: entry.requestId,
        detail: JSON.stringify(entry.detail),
      }),
    );
    return Number(result.lastInsertRowid);
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
