import type { Migration } from '../src/main/store/migration';

/**
 * Schema v5: a retained snapshot in the outbox replaces the one before it for the same topic
 * (src/main/sync/outbox.ts). The index finds that one without reading the station's whole
 * event log; the superseded snapshots queued before v5 (one per change, each the whole
 * timeline or journal) are deleted, keeping the newest per topic.
 */
export const m0005: Migration = {
  version: 5,
  name: 'outbox-snapshots',
  up(db) {
    db.exec(`
      CREATE INDEX outbox_retained ON outbox (topic) WHERE retain = 1;
      DELETE FROM outbox WHERE retain = 1 AND rowid NOT IN
        (SELECT max(rowid) FROM outbox WHERE retain = 1 GROUP BY topic);
    `);
  },
  down(db) {
    // The superseded snapshots are gone for good; v4 never needed them.
    db.exec(`DROP INDEX outbox_retained;`);
  },
};
