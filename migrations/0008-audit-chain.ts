import type { Database } from 'better-sqlite3';
import { GENESIS, rowHash, type ChainedRow } from '../src/main/audit/chain';
import type { Migration } from '../src/main/store/migration';

const NO_UPDATE = `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END;`;

/**
 * Schema v8: the audit log becomes a hash chain (src/main/audit/chain.ts). Every existing row
 * gets its hash here, in id order, so the chain starts at the first row ever written; from
 * now on each row is hashed in the transaction that writes it. The append-only trigger is
 * lifted only inside this migration's transaction.
 */
export const m0008: Migration = {
  version: 8,
  name: 'audit-chain',
  up(db) {
    db.exec(`DROP TRIGGER audit_log_no_update; ALTER TABLE audit_log ADD COLUMN hash TEXT;`);
    chainExisting(db);
    db.exec(NO_UPDATE);
  },
  down(db) {
    db.exec(`DROP TRIGGER audit_log_no_update; ALTER TABLE audit_log DROP COLUMN hash; ${NO_UPDATE}`);
  },
};

function chainExisting(db: Database): void {
  const page = db.prepare('SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT 5000');
  const set = db.prepare('UPDATE audit_log SET hash = ? WHERE id = ?');
  let prev = GENESIS;
  let last = 0;
  for (;;) {
    const rows = page.all(last) as ChainedRow[];
    if (!rows.length) return;
    for (const r of rows) {
      prev = rowHash(prev, r);
      set.run(prev, r.id);
      last = r.id;
    }
  }
}
