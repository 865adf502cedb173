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

export function dbMigrate(): Promise<void> {
  return withStore(
    async (store, keep) => {
      const from = store.schemaVersion;
      if (from === latestVersion(migrations)) return out(`already at schema version ${from}; nothing to do`);
      if (from > 0) out(`backed up to ${await store.backup('pre-migrate', keep)}`);
      const applied = migrate(store.db, migrations);
      out(
        `migrated from ${from} to ${store.schemaVersion}: ${applied.map((m) => `${m.version}-${m.name}`).join(', ')}`,
      );
    },
    { create: true, purpose: '`plainview db migrate`' },
  );
}

export function dbRollback(to: number | undefined): Promise<void> {
  return withStore(
    async (store, keep) => {
      const from = store.schemaVersion;
      const target = to ?? from - 1;
      if (target >= from) return out(`already at schema version ${from}; nothing to roll back`);
      // rollback() refuses a target below 1 before anything happens; check first so no backup is taken for nothing.
      if (target >= 1) out(`backed up to ${await store.backup('pre-rollback', keep)}`);
      const undone = rollback(store.db, migrations, target);
      out(
        `rolled back from ${from} to ${store.schemaVersion}: undid ${undone.map((m) => `${m.version}-${m.name}`).join(', ')}`,
      );
    },
    { create: false, purpose: '`plainview db rollback`' },
  );
}

export function dbBackup(file: string | undefined): Promise<void> {
  return withStore(async (store, keep) => {
    const target = file ? path.resolve(file) : undefined;
    out(`backed up to ${await store.backup('manual', keep, target)}`);
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
