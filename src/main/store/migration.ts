import type { Database } from 'better-sqlite3';

/** One schema version: `up` from version-1 to version, `down` back. Both run in a transaction. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
  down(db: Database): void;
}
