import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { historyFolders } from './backup';
import { Catalogue } from './catalogue';
import { decodeBlock } from './codec';
import { HistoryFile } from './file';
import { decodeJournal } from './journal';
import type { HistoryKind } from './layout';
import { MOVE_META } from './move-rows';
import { BLOCK_WINDOW_MS, windowOf } from './open-block';
import { prepareCounts, prepareRowsLeft } from './sql';

export interface HistoryStatus {
  folder: string;
  /** Every file in the folder, -wal and -shm included. */
  bytes: number;
  files: Record<HistoryKind, { open: number; finished: number; oldest: string | null; newest: string | null }>;
  /** Samples in finished days (the catalogue's totals) and in open days (counted in their files). */
  samples: { finished: number; open: number };
  /** The newest copy of a finished file in backups/history, and how many finished files wait for theirs. */
  lastBackup: string | null;
  notBackedUp: number;
  /** The rows of schema v8 still to move, how many have moved, and when the last went. */
  move: { samplesLeft: number; rollupsLeft: number; moved: number; doneAt: string | null };
}

function folderBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir).reduce((n, name) => n + (fs.statSync(path.join(dir, name)).size || 0), 0);
}

/**
 * Samples in an open day's file: its blocks, and its journal's samples not in a block yet. A
 * journal record stays until every sample of it is in a block, so some of its samples may be
 * in one already (a block written at its size, or its window's end): each is counted once.
 */
function openSamples(dir: string, day: string): number {
  const file = HistoryFile.forReading(dir, 'samples', day);
  if (!file) return 0;
  try {
    const s = prepareCounts(file.db);
    let n = s.inBlocks.get() as number;
    // The journal's times by point and window, then each window's blocks read once.
    const journal = new Map<string, { point: number; window: number; ts: number[] }>();
    for (const data of s.journal.iterate() as Iterable<Uint8Array>) {
      const r = decodeJournal(data);
      r.ts.forEach((t, i) => {
        const point = r.points[i]!;
        const window = windowOf(t);
        const k = `${point}:${window}`;
        let g = journal.get(k);
        if (!g) journal.set(k, (g = { point, window, ts: [] }));
        g.ts.push(t);
      });
    }
    for (const { point, window, ts } of journal.values()) {
      const inBlocks = new Set<number>();
      for (const data of s.windowBlocks.all(point, window, window + BLOCK_WINDOW_MS) as Uint8Array[])
        for (const t of decodeBlock(data).ts) inBlocks.add(t);
      n += ts.filter((t) => !inBlocks.has(t)).length;
    }
    return n;
  } finally {
    file.close();
  }
}

/** Both halves of history's state for `plainview db status` (schema 9 or later). */
export function historyStatus(db: Database, dataDir: string): HistoryStatus {
  const { dir } = historyFolders(dataDir);
  const catalogue = new Catalogue(db);
  const rows = catalogue.all();
  const kinds = ['samples', 'minutes', 'hours'] as const;
  const files = Object.fromEntries(
    kinds.map((kind) => {
      const of = rows.filter((r) => r.kind === kind);
      return [
        kind,
        {
          open: of.filter((r) => r.state === 'open').length,
          finished: of.filter((r) => r.state === 'finished').length,
          oldest: of[0]?.key ?? null,
          newest: of.at(-1)?.key ?? null,
        },
      ];
    }),
  ) as HistoryStatus['files'];
  const days = rows.filter((r) => r.kind === 'samples');
  const finished = rows.filter((r) => r.state === 'finished');
  const copies = finished.map((r) => r.backed_up_at).filter((at): at is string => at !== null);
  const left = prepareRowsLeft(db);
  const moved = (key: string) => Number(catalogue.meta(key) ?? 0);
  return {
    folder: dir,
    bytes: folderBytes(dir),
    files,
    samples: {
      finished: days.filter((r) => r.state === 'finished').reduce((n, r) => n + r.samples, 0),
      open: days.filter((r) => r.state === 'open').reduce((n, r) => n + openSamples(dir, r.key), 0),
    },
    lastBackup: copies.sort().at(-1) ?? null,
    notBackedUp: finished.length - copies.length,
    move: {
      samplesLeft: left.samples.get() as number,
      rollupsLeft: left.rollups.get() as number,
      moved: moved(MOVE_META.samples) + moved(MOVE_META.rollups),
      doneAt: (catalogue.meta(MOVE_META.done) as string | null) ?? null,
    },
  };
}
