import fs from 'node:fs';
import type { Database } from 'better-sqlite3';
import { decodeBlock, QUALITY_CODES } from './codec';
import { HistoryFile } from './file';
import { decodeJournal } from './journal';
import { parseHistoryFile, type HistoryKind } from './layout';
import { OldRowsMove } from './move-rows';
import { prepareContents, prepareRowsBack } from './sql';
import { HistoryWriter } from './writer';

/*
 * History back into the rows of schema v8, for `plainview db rollback` below schema 9
 * (docs/data-model.md, "Migrations"): raw samples from the samples files' blocks (and
 * journals) into `telemetry_samples`, minute rollups from the minutes files into
 * `telemetry_rollups` (mean = sum / count). v8 has no hour rollups: an hour whose minutes are
 * gone (a minutes file dropped by retention before its month's hours file) cannot go back.
 */

/** The history files of a folder by kind, oldest first. */
function filesOf(dir: string): { kind: HistoryKind; key: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map(parseHistoryFile)
    .filter((f): f is { kind: HistoryKind; key: string } => f !== null)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Whether a folder holds any history file. */
export function holdsHistory(dir: string): boolean {
  return filesOf(dir).length > 0;
}

/** The UTC days (`2026-12-04`) with hour rollups and no minutes file: what v8 rows cannot hold. */
export function hoursWithoutMinutes(dir: string): string[] {
  const files = filesOf(dir);
  const minutes = new Set(files.filter((f) => f.kind === 'minutes').map((f) => f.key));
  const lost = new Set<string>();
  for (const f of files.filter((x) => x.kind === 'hours')) {
    const file = HistoryFile.forReading(dir, 'hours', f.key);
    if (!file) continue;
    try {
      const { days } = prepareContents(file.db, 'hours');
      for (const day of days!.all() as number[]) {
        const key = new Date(day).toISOString().slice(0, 10);
        if (!minutes.has(key)) lost.add(key);
      }
    } finally {
      file.close();
    }
  }
  return [...lost].sort();
}

/**
 * Brings a history folder to rest before it is packed: the v8 rows not moved yet moved in (all
 * of them, retention aside: a rollback loses no row), every open block written and rolled up,
 * every file finished.
 */
export function completeHistory(db: Database, dir: string, now: number): void {
  const history = new HistoryWriter({ dir, db, rawRetentionDays: Infinity });
  try {
    const move = new OldRowsMove(db, history);
    const all = { now, retention: { raw: Infinity, minutes: Infinity, hours: Infinity }, rows: 10_000 };
    while (move.slice(all).more);
    history.sweep(Infinity);
  } finally {
    history.close();
  }
}

/** Packs a folder's samples and minute rollups into the v8 tables, in one transaction; how many of each. */
export function packRows(db: Database, dir: string): { samples: number; rollups: number } {
  const back = prepareRowsBack(db);
  const packed = { samples: 0, rollups: 0 };
  db.transaction(() => {
    for (const { kind, key } of filesOf(dir)) {
      if (kind === 'hours') continue;
      const file = HistoryFile.forReading(dir, kind, key);
      if (!file) continue;
      try {
        if (kind === 'samples') packed.samples += packSamples(file, back.sample);
        else packed.rollups += packMinutes(file, back.rollup);
      } finally {
        file.close();
      }
    }
  })();
  return packed;
}

type Insert = { run(...args: unknown[]): { changes: number } };

function packSamples(file: HistoryFile, insert: Insert): number {
  const names = file.names();
  const { blocks, journal } = prepareContents(file.db, 'samples');
  let n = 0;
  const put = (point: number, ts: number, value: number, quality: number) =>
    (n += insert.run(names.get(point), ts, value, QUALITY_CODES[quality] ?? 'bad').changes);
  for (const r of blocks!.iterate() as Iterable<{ point: number; data: Uint8Array }>) {
    const b = decodeBlock(r.data);
    for (let i = 0; i < b.ts.length; i++) put(r.point, b.ts[i]!, b.values[i]!, b.quality[i]!);
  }
  for (const data of journal!.iterate() as Iterable<Uint8Array>) {
    const j = decodeJournal(data);
    for (let i = 0; i < j.ts.length; i++) put(j.points[i]!, j.ts[i]!, j.values[i]!, j.quality[i]!);
  }
  return n;
}

function packMinutes(file: HistoryFile, upsert: Insert): number {
  const names = file.names();
  const { rollups } = prepareContents(file.db, 'minutes');
  let n = 0;
  for (const [point, bucket, min, max, sum, last, count] of rollups!.iterate() as Iterable<number[]>) {
    upsert.run(names.get(point!), bucket, min, max, sum! / count!, last, count);
    n++;
  }
  return n;
}
