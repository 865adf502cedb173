import path from 'node:path';
import { migrations } from '../../../migrations';
import { HistoryBackup, historyFolders, type HistoryBackupOutcome } from '../history/backup';
import { Catalogue } from '../history/catalogue';
import { retentionDays } from '../history/retention';
import { historyStatus } from '../history/status';
import { createLogger, streamSink } from '../log';
import {
  compact,
  COMPACT_MIN_FREE_BYTES,
  freeBytes,
  integrityCheck,
  latestVersion,
  migrate,
  readPragmas,
  rollback,
  storePaths,
  type Compaction,
  type Store,
} from '../store';
import { checkHistoryRollback, HISTORY_SCHEMA, packHistoryForRollback } from './history-rollback';
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
    const { free } = freeBytes(store.db);
    out(
      `free pages:      ${free} bytes${free >= COMPACT_MIN_FREE_BYTES ? ' (`plainview db compact` gives them back)' : ''}`,
    );
    out(`journal_mode:    ${p.journal_mode}, synchronous: ${p.synchronous}, foreign_keys: ${p.foreign_keys}`);
    out(`last backup:     ${store.lastBackupAt?.toISOString() ?? 'none'}`);
    for (const line of historyLines(store)) out(line);
  });
}

/** The second store: the history files (schema 9 and later), as `db status` shows it. */
function historyLines(store: Store): string[] {
  if (!Catalogue.present(store.db)) return ['history:         none (schema below 9: samples are rows of the database)'];
  const h = historyStatus(store.db, configOrExit().config.dataDir);
  const kinds = (['samples', 'minutes', 'hours'] as const).map((k) => {
    const f = h.files[k];
    const span = f.oldest ? ` ${f.oldest}${f.newest !== f.oldest ? ` to ${f.newest}` : ''}` : '';
    return `${k} ${f.open + f.finished} (${f.open} open, ${f.finished} finished)${span}`;
  });
  const m = h.move;
  return [
    `history:         ${h.folder}, ${h.bytes} bytes`,
    `history files:   ${kinds.join('; ')}`,
    `samples stored:  ${h.samples.finished + h.samples.open} (finished days ${h.samples.finished}, open days ${h.samples.open})`,
    `history backup:  ${h.lastBackup ?? 'none'} (finished files not copied yet: ${h.notBackedUp})`,
    m.samplesLeft + m.rollupsLeft
      ? `v8 rows to move: ${m.samplesLeft} samples, ${m.rollupsLeft} rollups (moved so far: ${m.moved})`
      : `v8 rows to move: none (moved: ${m.moved}${m.doneAt ? `, finished ${m.doneAt}` : ''})`,
  ];
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

export function dbRollback(to: number | undefined, acceptLoss = false): Promise<SchemaChange> {
  return withStore(
    async (store, keep) => {
      const from = store.schemaVersion;
      const target = to ?? from - 1;
      if (target >= from) {
        out(`already at schema version ${from}; nothing to roll back`);
        return { from, to: from, backup: null };
      }
      const { dataDir } = configOrExit().config;
      // Below schema 9 history goes back into rows: refused before anything happens if that loses data.
      const history = target >= 1 && from >= HISTORY_SCHEMA && target < HISTORY_SCHEMA;
      if (history) checkHistoryRollback(store, dataDir, acceptLoss);
      // rollback() refuses a target below 1 before anything happens; check first so no backup is taken for nothing.
      const backup = target >= 1 ? await store.backup('pre-rollback', keep) : null;
      if (backup) out(`backed up to ${backup}`);
      const packed = history ? packHistoryForRollback(store, dataDir, new Date()) : null;
      if (packed) out(packed);
      const undone = rollback(store.db, migrations, target);
      out(
        `rolled back from ${from} to ${store.schemaVersion}: undid ${undone.map((m) => `${m.version}-${m.name}`).join(', ')}`,
      );
      return { from, to: store.schemaVersion, backup };
    },
    { create: false, purpose: '`plainview db rollback`' },
  );
}

export function dbBackup(file: string | undefined): Promise<{ file: string; history: HistoryBackupOutcome | null }> {
  return withStore(async (store, keep) => {
    const target = file ? path.resolve(file) : undefined;
    const written = await store.backup('manual', keep, target);
    out(`backed up to ${written}`);
    if (!Catalogue.present(store.db)) return { file: written, history: null };
    const { config } = configOrExit();
    const folders = historyFolders(config.dataDir);
    const history = await new HistoryBackup({
      db: store.db,
      ...folders,
      retention: retentionDays(config),
      log: createLogger({ level: 'warn', json: config.jsonLogging, sinks: [streamSink(process.stderr)] }),
    }).run();
    out(
      `history copied to ${folders.target}: ${history.copied} finished files, ${history.open} open files` +
        (history.failed ? ` (${history.failed} failed: see above)` : ''),
    );
    return { file: written, history };
  });
}

/** `PRAGMA integrity_check` on the database file; exit 1 when SQLite finds problems. */
/** Gives the database's free pages back to the disk (VACUUM), with the station stopped. */
export function dbCompact(): Promise<Compaction> {
  return withStore(
    (store) => {
      const done = compact(store.db);
      out(`compacted ${store.file}: ${mb(done.beforeBytes)} → ${mb(done.afterBytes)} in ${done.ms} ms`);
      return done;
    },
    { create: false, purpose: '`plainview db compact`' },
  );
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;

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
