import type { Migration } from '../src/main/store/migration';

/** What a site-wide operator account adds to a station's own row (docs/operators.md). */
const COLUMNS = [
  ['created_hlc', 'TEXT'],
  // NULL: an account made here before accounts were site-wide, not shared yet.
  ['profile_hlc', 'TEXT'],
  ['disables', "TEXT NOT NULL DEFAULT '{}'"],
  ['lifted', "TEXT NOT NULL DEFAULT '{}'"],
  ['last_hlc', 'TEXT'],
  ['last_change', 'TEXT'],
  ['last_by', 'TEXT'],
  ['last_station', 'TEXT'],
  ['last_at', 'TEXT'],
] as const;

/**
 * Schema v7: site-wide operator accounts. Each row keeps what the stations share of it: when
 * the account was created and its profile last changed (clock timestamps), each station's
 * latest disable and the disables an enable lifted (JSON objects), and the latest change.
 * `disabled` stays the account's state as the merge rule makes it, so sign-on reads one
 * column; failed attempts and lock-outs stay the station's own.
 */
export const m0007: Migration = {
  version: 7,
  name: 'site-operators',
  up(db) {
    for (const [name, type] of COLUMNS) db.exec(`ALTER TABLE operators ADD COLUMN ${name} ${type}`);
  },
  down(db) {
    // The accounts stay, as v6 knew them (name, role, hash, disabled); what they shared goes.
    for (const [name] of [...COLUMNS].reverse()) db.exec(`ALTER TABLE operators DROP COLUMN ${name}`);
  },
};
