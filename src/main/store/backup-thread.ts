/**
 * The backup thread (src/main/store/backups.ts): copies the database into `partial` over a
 * connection of its own, then folds the WAL into the database file, and answers ok or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openConnection } from './connection';

const { source, partial } = workerData as { source: string; partial: string };

/** Pages per step: all of them. The copy is off the event loop, so one step is fastest. */
const ALL = 2 ** 30;

async function run(): Promise<void> {
  const db = openConnection(source, { fileMustExist: true });
  try {
    // One read transaction from the first page to the last: SQLite restarts a stepped backup
    // whenever another connection commits between two steps, which under steady ingest meant a
    // backup that never finished. The copy is the database as it was when the backup began.
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    await db.backup(partial, { progress: () => ALL });
    db.exec('COMMIT');
    // The WAL grew while the copy held its snapshot, and the writers' own (passive) checkpoints
    // could not catch up with it while backups followed each other: fold it into the database
    // file now, on this thread, and have the next writer start it over. New writes wait for
    // this one checkpoint (the frames written during one copy); readers do not.
    db.pragma('wal_checkpoint(RESTART)');
  } finally {
    db.close();
  }
}

run().then(
  () => parentPort!.postMessage({ ok: true }),
  (err: unknown) => parentPort!.postMessage({ ok: false, message: (err as Error).message }),
);
