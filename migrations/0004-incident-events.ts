import type { Migration } from '../src/main/store/migration';

/**
 * Schema v4: a timeline entry keeps the body of the event that made it, so an incident's
 * timeline is also its event log: the retained snapshot a late console merges
 * (docs/sync.md). Entries written before v4 have no body and are not in snapshots.
 */
export const m0004: Migration = {
  version: 4,
  name: 'incident-events',
  up(db) {
    db.exec(`ALTER TABLE incident_timeline ADD COLUMN body TEXT;`);
  },
  down(db) {
    // The timeline itself stays whole; only the event bodies go.
    db.exec(`ALTER TABLE incident_timeline DROP COLUMN body;`);
  },
};
