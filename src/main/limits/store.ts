import { DefinitionSet, type DefinitionChange, type FieldChange } from '../../shared/limits';
import type { Sql } from '../store/sql';

/** The site's alarm definitions as the station keeps them: every version, with its MOC record. */
export interface DefinitionStore {
  /** The newest version held, or null when none is. */
  latest(): DefinitionSet | null;
  latestVersion(): number;
  /** Adds a version; one with the same number is replaced (a tie two stations resolved). */
  put(set: DefinitionSet, changes: readonly FieldChange[]): void;
  /** Management-of-change records, newest first. */
  history(limit: number): DefinitionChange[];
  /** The management-of-change record of one version (empty when the version is not held). */
  changesOf(version: number): FieldChange[];
}

/** The definition store on the station's database (table `alarm_definitions`). */
export class SqlDefinitionStore implements DefinitionStore {
  constructor(private readonly sql: Sql) {}

  latest(): DefinitionSet | null {
    const r = this.sql.first(
      this.sql.q.selectFrom('alarm_definitions').selectAll().orderBy('version', 'desc').limit(1),
    );
    if (!r) return null;
    return DefinitionSet.parse({
      version: r.version,
      site: r.site_id,
      changedAt: r.changed_at,
      changedBy: r.changed_by,
      station: r.station_id,
      reason: r.reason,
      definitions: JSON.parse(r.definitions),
    });
  }

  latestVersion(): number {
    const r = this.sql.first(
      this.sql.q.selectFrom('alarm_definitions').select('version').orderBy('version', 'desc').limit(1),
    );
    return r?.version ?? 0;
  }

  put(set: DefinitionSet, changes: readonly FieldChange[]): void {
    const row = {
      site_id: set.site,
      changed_at: set.changedAt,
      changed_by: set.changedBy,
      station_id: set.station,
      reason: set.reason,
      definitions: JSON.stringify(set.definitions),
      changes: JSON.stringify(changes),
    };
    this.sql.run(
      this.sql.q
        .insertInto('alarm_definitions')
        .values({ version: set.version, ...row })
        .onConflict((oc) => oc.column('version').doUpdateSet(row)),
    );
  }

  changesOf(version: number): FieldChange[] {
    const r = this.sql.first(
      this.sql.q.selectFrom('alarm_definitions').select('changes').where('version', '=', version),
    );
    return r ? (JSON.parse(r.changes) as FieldChange[]) : [];
  }

  history(limit: number): DefinitionChange[] {
    return this.sql
      .all(
        this.sql.q
          .selectFrom('alarm_definitions')
          .select(['version', 'changed_at', 'changed_by', 'station_id', 'reason', 'changes'])
          .orderBy('version', 'desc')
          .limit(limit),
      )
      .map((r) => ({
        version: r.version,
        changedAt: r.changed_at,
        changedBy: r.changed_by,
        station: r.station_id,
        reason: r.reason,
        changes: JSON.parse(r.changes) as FieldChange[],
      }));
  }
}
