import type { Database } from 'better-sqlite3';
import { StoreError } from './errors';
import type { Migration } from './migration';

export function schemaVersion(db: Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

export function latestVersion(list: readonly Migration[]): number {
  return list.length ? list[list.length - 1]!.version : 0;
}

/** The list must be 1, 2, 3, … with no gaps: a gap means a file was not listed. */
export function checkList(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration list out of order: position ${i + 1} holds version ${m.version} (${m.name})`);
  });
}

export function assertNotTooNew(db: Database, list: readonly Migration[]): void {
  const current = schemaVersion(db);
  const latest = latestVersion(list);
  if (current > latest) {
    throw new StoreError(
      `The database ${db.name} has schema version ${current}, but this Plainview only knows versions up to ${latest}. ` +
        'It was written by a newer Plainview: install that version, or restore a backup made by this one.',
      'schema_too_new',
    );
  }
}

/**
 * Runs `fn` in one transaction with foreign keys off (SQLite cannot rebuild a referenced
 * table otherwise) and checks them before committing, so a migration cannot leave a
 * dangling reference behind.
 */
function inSchemaTransaction(db: Database, fn: () => void): void {
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      fn();
      const violations = db.pragma('foreign_key_check') as unknown[];
      if (violations.length) throw new Error(`foreign key check failed: ${JSON.stringify(violations.slice(0, 3))}`);
    })();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}

/** Applies every pending migration up to `target` in one transaction; returns what ran. */
export function migrate(db: Database, list: readonly Migration[], target = latestVersion(list)): Migration[] {
  assertNotTooNew(db, list);
  const current = schemaVersion(db);
  if (target < current) throw new StoreError(`cannot migrate down to ${target}: use rollback`, 'refused');
  const pending = list.filter((m) => m.version > current && m.version <= target);
  if (!pending.length) return [];
  try {
    inSchemaTransaction(db, () => {
      for (const m of pending) {
        m.up(db);
        db.pragma(`user_version = ${m.version}`);
      }
    });
  } catch (err) {
    throw new StoreError(`migration failed, nothing was changed: ${(err as Error).message}`, 'migration_failed');
  }
  return pending;
}

/**
 * Undoes migrations down to `target` (default: one step). Version 1 is the floor: undoing
 * the initial schema would delete every row, which no command should do on an operator's data.
 */
export function rollback(db: Database, list: readonly Migration[], target?: number): Migration[] {
  assertNotTooNew(db, list);
  const current = schemaVersion(db);
  const to = target ?? current - 1;
  if (to < 1) {
    throw new StoreError(
      `refusing to roll back below schema version 1: that would delete all data. To start over, move the database file away instead.`,
      'refused',
    );
  }
  if (to >= current) return [];
  const undo = list.filter((m) => m.version > to && m.version <= current).reverse();
  try {
    inSchemaTransaction(db, () => {
      for (const m of undo) {
        m.down(db);
        db.pragma(`user_version = ${m.version - 1}`);
      }
    });
  } catch (err) {
    throw new StoreError(`rollback failed, nothing was changed: ${(err as Error).message}`, 'migration_failed');
  }
  return undo;
}
