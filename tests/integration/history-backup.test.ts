import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { HistoryBackup, historyFolders } from '../../src/main/history/backup';
import { FINISH_AFTER_MS, HistoryWriter } from '../../src/main/history/writer';
import { createLogger } from '../../src/main/log';
import { openStore } from '../../src/main/store';
import { BackupSchedule } from '../../src/main/store/backup-schedule';
import { storedSamples } from '../helpers/history';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

/*
 * Backups of history (src/main/history/backup.ts): a finished file is copied once, again only
 * after late data reopened it; open files are copied whole at each backup (the open day is
 * recoverable as it was then, its journal included); copies go with retention.
 */

const log = createLogger({ level: 'error', json: true, sinks: [] });
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-25T10:00:00Z');
const samples = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) => ({ point: 'p-1', ts: from + i * 1000, value: 40 + i / 100, quality: 0 }));

async function setup() {
  const dataDir = tempDir();
  const { store } = await openStore({ dataDir, migrations, log, mode: 'station' });
  const folders = historyFolders(dataDir);
  const writer = new HistoryWriter({ dir: folders.dir, db: store.db, rawRetentionDays: 7 });
  const backup = new HistoryBackup({ db: store.db, ...folders, retention: { raw: 7, minutes: 400, hours: 400 }, log });
  const copies = (sub = '') =>
    fs
      .readdirSync(path.join(folders.target, sub))
      .filter((n) => n.endsWith('.db'))
      .sort();
  return { dataDir, store, folders, writer, backup, copies };
}

describe('history backups', () => {
  it('copies a finished file once, again after late data reopened it; open files each time, as they are', async () => {
    const t = await setup();
    t.writer.write(samples(100, T0 - DAY), T0 - DAY);
    t.writer.write(samples(50, T0), T0);
    // Yesterday is over: finished. Today stays open (samples in the journal, not in a block
    // yet, so no minutes file either), and the month's hours.
    t.writer.sweep(T0);
    expect(await t.backup.run(new Date(T0))).toEqual({ copied: 2, open: 2, pruned: 0, failed: 0 });
    expect(t.copies()).toEqual(['2026-11-24.minutes.db', '2026-11-24.samples.db']);
    expect(t.copies('open')).toEqual(['2026-11-25.samples.db', '2026-11.hours.db']);
    // The open copy holds the open day's journal: a restore brings those samples back.
    const restored = tempDir();
    fs.mkdirSync(path.join(restored, 'history'));
    fs.copyFileSync(
      path.join(t.folders.target, 'open', '2026-11-25.samples.db'),
      path.join(restored, 'history', '2026-11-25.samples.db'),
    );
    expect(storedSamples(restored).get('p-1')!.size).toBe(50);

    expect(await t.backup.run(new Date(T0))).toMatchObject({ copied: 0, open: 2 });
    // Late data for yesterday: reopened (its copy stale), finished again, copied again.
    t.writer.write(samples(10, T0 - DAY + 500), T0);
    expect((await t.backup.run(new Date(T0))).copied).toBe(0);
    t.writer.sweep(T0 + 1000);
    expect((await t.backup.run(new Date(T0))).copied).toBe(2);
    const copy = path.join(t.folders.target, '2026-11-24.samples.db');
    expect(fs.readFileSync(copy)).toEqual(fs.readFileSync(path.join(t.folders.dir, '2026-11-24.samples.db')));

    // Today finished and copied: its open copy goes. Past retention, the copies go too.
    const tomorrow = T0 + DAY;
    t.writer.sweep(Date.parse('2026-11-26T00:00:00Z') + FINISH_AFTER_MS);
    await t.backup.run(new Date(tomorrow));
    expect(t.copies('open')).toEqual(['2026-11.hours.db']);
    const outcome = await t.backup.run(new Date(T0 + 7 * DAY));
    expect(outcome.pruned).toBe(1);
    expect(t.copies().filter((n) => n.includes('samples'))).toEqual(['2026-11-25.samples.db']);
    t.writer.close();
    await t.store.close();
  });

  it('the scheduled backup copies history after the database', async () => {
    const t = await setup();
    t.writer.write(samples(100, T0 - DAY), T0 - DAY);
    t.writer.sweep(T0);
    const schedule = new BackupSchedule(t.store, {
      intervalHours: 6,
      keep: 3,
      now: () => new Date(T0),
      log,
      after: () => t.backup.run(new Date(T0)),
    });
    schedule.start();
    await waitFor(() => t.copies().length === 2, 'the finished files copied');
    schedule.stop();
    t.writer.close();
    await t.store.close();
  });
});
