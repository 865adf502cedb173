import type { Database } from 'better-sqlite3';
import type { HistoryKind } from './layout';

/** A history file as the operational database knows it (table `history_files`). */
export interface CatalogueRow {
  kind: HistoryKind;
  key: string;
  state: 'open' | 'finished';
  samples: number;
  bytes: number;
  first_ts: number | null;
  last_ts: number | null;
  finished_at: string | null;
  backed_up_at: string | null;
}

/**
 * The history catalogue, in the operational database: which files exist, which are finished
 * (immutable: backed up once, dropped whole by retention). The files are the truth; the rows
 * are reconciled with the folder at start (a restored database may predate newer files).
 */
export class Catalogue {
  private readonly s;

  constructor(private readonly db: Database) {
    this.s = {
      all: db.prepare('SELECT * FROM history_files ORDER BY kind, key'),
      get: db.prepare('SELECT * FROM history_files WHERE kind = ? AND key = ?'),
      opened: db.prepare(`INSERT INTO history_files (kind, key, state) VALUES (?, ?, 'open')
        ON CONFLICT(kind, key) DO UPDATE SET state = 'open', finished_at = NULL, backed_up_at = NULL`),
      finished: db.prepare(`UPDATE history_files SET state = 'finished', samples = ?, bytes = ?, first_ts = ?,
        last_ts = ?, finished_at = ? WHERE kind = ? AND key = ?`),
      backedUp: db.prepare('UPDATE history_files SET backed_up_at = ? WHERE kind = ? AND key = ?'),
      backedUpAsFinished: db.prepare(`UPDATE history_files SET backed_up_at = ?
        WHERE kind = ? AND key = ? AND state = 'finished' AND finished_at = ?`),
      remove: db.prepare('DELETE FROM history_files WHERE kind = ? AND key = ?'),
      meta: db.prepare('SELECT value FROM history_meta WHERE key = ?').pluck(),
      setMeta: db.prepare(
        'INSERT INTO history_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  all(): CatalogueRow[] {
    return this.s.all.all() as CatalogueRow[];
  }

  get(kind: HistoryKind, key: string): CatalogueRow | undefined {
    return this.s.get.get(kind, key) as CatalogueRow | undefined;
  }

  /** A file written to (created, or reopened for late data: its backup copy is stale then). */
  opened(kind: HistoryKind, key: string): void {
    this.s.opened.run(kind, key);
  }

  finished(
    kind: HistoryKind,
    key: string,
    f: { samples: number; bytes: number; first: number | null; last: number | null; at: string },
  ): void {
    this.s.finished.run(f.samples, f.bytes, f.first, f.last, f.at, kind, key);
  }

  backedUp(kind: HistoryKind, key: string, at: string): void {
    this.s.backedUp.run(at, kind, key);
  }

  /** Records a copy of a file as it was finished at `finishedAt`; false if it has been reopened since. */
  backedUpAsFinished(kind: HistoryKind, key: string, finishedAt: string, at: string): boolean {
    return this.s.backedUpAsFinished.run(at, kind, key, finishedAt).changes === 1;
  }

  remove(kind: HistoryKind, key: string): void {
    this.s.remove.run(kind, key);
  }

  meta(key: string): unknown {
    return this.s.meta.get(key);
  }

  setMeta(key: string, value: string | number | null): void {
    this.s.setMeta.run(key, value);
  }

  /** Whether the catalogue exists (schema v9 or later). */
  static present(db: Database): boolean {
    return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'history_files'").get();
  }
}
