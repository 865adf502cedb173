import type { Migration } from '../src/main/store/migration';

/**
 * Schema v2: what a valve can do and how fast a point goes stale. The actuation issue
 * offers set-position only on valves that support it; the field link marks a point stale
 * after its own threshold rather than one site-wide number.
 */
export const m0002: Migration = {
  version: 2,
  name: 'valve-capabilities',
  up(db) {
    db.exec(`
      ALTER TABLE valves ADD COLUMN supports_position INTEGER NOT NULL DEFAULT 0
        CHECK (supports_position IN (0, 1));
      ALTER TABLE telemetry_points ADD COLUMN stale_after_ms INTEGER
        CHECK (stale_after_ms IS NULL OR stale_after_ms > 0);
    `);
  },
  down(db) {
    // DROP COLUMN keeps every row; only the two new facts are lost.
    db.exec(`
      ALTER TABLE telemetry_points DROP COLUMN stale_after_ms;
      ALTER TABLE valves DROP COLUMN supports_position;
    `);
  },
};
