import Database from 'better-sqlite3';
import { StoreError } from './errors';

export interface ConnectionOptions {
  readonly?: boolean;
  /** Only for the file check: do not create a missing file. */
  fileMustExist?: boolean;
}

const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens a connection with the pragmas every connection needs, and checks they took:
 * WAL so readers never block the writer, synchronous=FULL because better-sqlite3's WAL
 * default (NORMAL) can lose committed transactions on power loss, foreign keys on, and a
 * busy timeout so a second connection waits instead of failing.
 */
export function openConnection(file: string, options: ConnectionOptions = {}): Database.Database {
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.fileMustExist ?? false });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    assertPragmas(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export interface PragmaReport {
  journal_mode: string;
  synchronous: number;
  foreign_keys: number;
  busy_timeout: number;
}

export function readPragmas(db: Database.Database): PragmaReport {
  return {
    journal_mode: String(db.pragma('journal_mode', { simple: true })),
    synchronous: Number(db.pragma('synchronous', { simple: true })),
    foreign_keys: Number(db.pragma('foreign_keys', { simple: true })),
    busy_timeout: Number(db.pragma('busy_timeout', { simple: true })),
  };
}

function assertPragmas(db: Database.Database): void {
  const p = readPragmas(db);
  const bad = [
    p.journal_mode !== 'wal' && `journal_mode=${p.journal_mode} (want wal)`,
    p.synchronous !== 2 && `synchronous=${p.synchronous} (want 2, FULL)`,
    p.foreign_keys !== 1 && `foreign_keys=${p.foreign_keys} (want 1)`,
  ].filter(Boolean);
  if (bad.length) throw new StoreError(`database ${db.name} refused required settings: ${bad.join(', ')}`, 'pragma');
}
