import path from 'node:path';
import { migrations } from '../../../migrations';
import { integrityCheck, latestVersion, migrate, readPragmas, rollback, storePaths } from '../store';
import { CliError, configOrExit } from './run';
import { withStore } from './store-access';

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function dbStatus(): Promise<void> {
  return withStore((store) => {
    const current = store.schemaVersion;
    const latest = latestVersion(migrations);
    const pending = migrations.filter((m) => m.version > current).map((m) => `${m.version}-${m.name}`);
    const p = readPragmas(store.db);
    out(`database:        ${store.file}`);
    out(`schema version:  ${current} (this Plainview: ${latest})`);
    out(`pending:         ${pending.length ? pending.join(', ') : 'none'}`);
    out(`size:            ${store.sizeBytes()} bytes`);
    out(`journal_mode:    ${p.journal_mode}, synchronous: ${p.synchronous}, foreign_keys: ${p.foreign_keys}`);
    out(`last backup:     ${store.lastBackupAt?.toISOString() ?? 'none'}`);
  });
}

/** What a schema change did, for its audit entry. */
export interface SchemaChange {
  from: number;
  to: number;
  backup: string | null;
}

export function dbMigrate(): Promise<SchemaChange> {
  return withStore(
    async (store, keep) => {
      const from = store.schemaVersion;
      if (from === latestVersion(migrations)) {
        out(`already at schema version ${from}; nothing to do`);
        return { from, to: from, backup: null };
      }
      const backup = from > 0 ? await store.backup('pre-migrate', keep) : null;
      if (backup) out(`backed up to ${backup}`);
      const applied = migrate(store.db, migrations);
      out(
        `migrated from ${from} to ${store.schemaVersion}: ${applied.map((m) => `${m.version}-${m.name}`).join(', ')}`,
      );
      return { from, to: store.schemaVersion, backup };
    },
    { create: true, purpose: '`plainview db migrate`' },
  );
}

export function dbRollback(to: number | undefined): Promise<SchemaChange> {
  return withStore(
    async (store, keep) => {
      const from = store.schemaVersion;
      const target = to ?? from - 1;
      if (target >= from) {
        out(`already at schema version ${from}; nothing to roll back`);
        return { from, to: from, backup: null };
      }
      // rollback() refuses a target below 1 before anything happens; check first so no backup is taken for nothing.
      const backup = target >= 1 ? await store.backup('pre-rollback', keep) : null;
      if (backup) out(`backed up to ${backup}`);
      const undone = rollback(store.db, migrations, target);
      out(
        `rolled back from ${from} to ${store.schemaVersion}: undid ${undone.map((m) => `${m.version}-${m.name}`).join(', ')}`,
      );
      return { from, to: store.schemaVersion, backup };
    },
    { create: false, purpose: '`plainview db rollback`' },
  );
}

export function dbBackup(file: string | undefined): Promise<{ file: string }> {
  return withStore(async (store, keep) => {
    const target = file ? path.resolve(file) : undefined;
    const written = await store.backup('manual', keep, target);
    out(`backed up to ${written}`);
    return { file: written };
  });
}

/** `PRAGMA integrity_check` on the database file; exit 1 when SQLite finds problems. */
export async function dbCheck(): Promise<number> {
  const { config } = configOrExit();
  const { file } = storePaths(config.dataDir);
  let result: string[];
  try {
    result = integrityCheck(file);
  } catch (err) {
    throw new CliError(`cannot check ${file}: ${(err as Error).message}`);
  }
  if (result.length === 1 && result[0] === 'ok') {
    out(`integrity_check: ok (${file})`);
    return 0;
  }
  out(`integrity_check found problems in ${file}:`);
  for (const line of result) out(`  ${line}`);
  return 1;
}
