/**
 * What a data folder's history files hold, read from the files themselves (the benches count
 * and weigh what the station stored; src/main/history has the formats).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { decodeBlock } from '../../src/main/history/codec';
import { decodeJournal } from '../../src/main/history/journal';
import { parseHistoryFile, type HistoryKind } from '../../src/main/history/layout';

/** A file's bytes on disk: the database and its write-ahead log. */
export function fileBytes(file: string): number {
  const size = (f: string) => fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0;
  return size(file) + size(`${file}-wal`);
}

/** Bytes of every history file of a kind (or all) in a history folder, and how many files. */
export function historyBytes(historyDir: string, kind?: HistoryKind): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const name of fs.existsSync(historyDir) ? fs.readdirSync(historyDir) : []) {
    const f = parseHistoryFile(name);
    if (!f || (kind && f.kind !== kind)) continue;
    bytes += fileBytes(path.join(historyDir, name));
    files++;
  }
  return { bytes, files };
}

/** Where a samples file's bytes go. */
export interface SamplesFileStats {
  bytes: number;
  samples: number;
  blocks: number;
  /** The packed samples themselves (the blocks' data). */
  blockBytes: number;
  /** Pages SQLite keeps free for reuse (left by journal records deleted once their blocks were written). */
  freeBytes: number;
  journalRecords: number;
}

export function samplesFileStats(file: string): SamplesFileStats {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const b = db
      .prepare(
        'SELECT count(*) AS blocks, coalesce(sum(n), 0) AS samples, coalesce(sum(length(data)), 0) AS bytes FROM blocks',
      )
      .get() as {
      blocks: number;
      samples: number;
      bytes: number;
    };
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const free = db.pragma('freelist_count', { simple: true }) as number;
    const journalRecords = (db.prepare('SELECT count(*) FROM journal').pluck().get() as number) ?? 0;
    return {
      bytes: fileBytes(file),
      samples: b.samples,
      blocks: b.blocks,
      blockBytes: b.bytes,
      freeBytes: free * pageSize,
      journalRecords,
    };
  } finally {
    db.close();
  }
}

/**
 * How many samples a data folder's history files hold: every block's, and the journal's that
 * are in no block yet (a journal record may also hold samples whose block is written since).
 */
export function countStoredSamples(dataDir: string): number {
  const dir = path.join(dataDir, 'history');
  let n = 0;
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (parseHistoryFile(name)?.kind !== 'samples') continue;
    const db = new Database(path.join(dir, name), { fileMustExist: true });
    try {
      // Journal samples by point, then those a block of the point holds are taken out.
      const waiting = new Map<number, Set<number>>();
      for (const r of db.prepare('SELECT data FROM journal').pluck().iterate() as Iterable<Uint8Array>) {
        const j = decodeJournal(r);
        for (let i = 0; i < j.ts.length; i++) {
          let s = waiting.get(j.points[i]!);
          if (!s) waiting.set(j.points[i]!, (s = new Set()));
          s.add(j.ts[i]!);
        }
      }
      const blocks = db.prepare('SELECT point, t0, t1, n, data FROM blocks').iterate() as Iterable<{
        point: number;
        t0: number;
        t1: number;
        n: number;
        data: Uint8Array;
      }>;
      for (const b of blocks) {
        n += b.n;
        const s = waiting.get(b.point);
        if (!s || ![...s].some((t) => t >= b.t0 && t <= b.t1)) continue;
        for (const t of decodeBlock(b.data).ts) s.delete(t);
      }
      for (const s of waiting.values()) n += s.size;
    } finally {
      db.close();
    }
  }
  return n;
}
