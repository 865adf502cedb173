import type { Database } from 'better-sqlite3';
import { decodeBlock, encodeBlock, QUALITY_CODES } from './codec';
import type { HistoryFile } from './file';
import { dayOf, DAY_MS, monthOf, startOf } from './layout';
import { BLOCK_MAX_SAMPLES, BLOCK_WINDOW_MS, windowOf } from './open-block';
import { pastRetention, type RetentionDays } from './retention';
import { HOUR_MS } from './rollup-math';
import { MOVED_THROUGH, prepareMoveIn, prepareOldRows, type MoveIn } from './sql';
import type { HistoryWriter } from './writer';

/*
 * The move of schema v8's rows (`telemetry_samples`, `telemetry_rollups` in the operational
 * database) into history files, a slice at a time, on the history files' one writer (the writer
 * thread's SampleHost). docs/data-model.md, "Moving the v8 rows".
 *
 * Rollups are not computed twice. v8 kept its minute rollups beside the raw rows, accumulated as
 * samples arrived (duplicates included, a crash's open minute lost), and its rollups outlive
 * its raw rows (400 days against 7): they are the record of those minutes, so they move as they
 * are (sum = mean × count) into the day's minutes file and, summed by hour, into the month's
 * hours file. The raw rows become blocks listed in the samples file's `moved` table, which
 * rolling up (and its catch-up after a crash) never reads.
 *
 * A crash between the two commits of a slice (the history files, then the delete of the moved
 * rows) loses nothing and counts nothing twice:
 * - samples: a slice redone finds its samples in the file's blocks and skips them; trends draw
 *   a time found in both once (they read the v8 rows first, then the files: a row is always in
 *   one or the other);
 * - rollups: each minutes or hours file keeps in its `meta` the last v8 row (point, bucket)
 *   merged into it, `moved_through`, committed with the merge. A slice redone skips rows at or
 *   before it, and trends skip v8 rows at or before the mark of the file they would be in
 *   (read in the same snapshot as that file's rollups, after the v8 rows).
 * The rows are deleted once every file has them; the next slice starts at the first row left.
 */

/** A v8 sample row: point, time, value, quality. */
type OldSample = [point: string, ts: number, value: number, quality: string];
/** A v8 rollup row: point, bucket, min, max, mean, last, count. */
type OldRollup = [point: string, bucket: number, min: number, max: number, mean: number, last: number, count: number];

export interface MoveSliceOptions {
  now: number;
  retention: RetentionDays;
  /** Most rows in one slice (a few thousand: a few milliseconds). */
  rows: number;
}

export interface MoveOutcome {
  /** Rows moved into history files by this slice. */
  moved: number;
  /** Sample rows the files held already (a slice redone after a crash; a sample delivered again at the upgrade). */
  already: number;
  /** Rows past retention: deleted, not moved (retention would drop them at once). */
  pastRetention: number;
  /** Whether v8 rows are left. */
  more: boolean;
}

/** `history_meta` keys: rows moved so far (past retention not counted), and when the last went. */
export const MOVE_META = { samples: 'moved_samples', rollups: 'moved_rollups', done: 'moved_at' } as const;

/** Text as SQLite's BINARY collation orders it (the bytes of its UTF-8): as the primary key orders points. */
export function comparePoints(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The last bucket of `point` a rollup file holds from v8 rows, from its `moved_through` mark:
 * every bucket (the mark is past this point), up to the mark's bucket, or none.
 */
export function movedThroughFor(point: string, mark: unknown): number {
  if (typeof mark !== 'string') return -Infinity;
  const [p, bucket] = JSON.parse(mark) as [string, number];
  const c = comparePoints(point, p);
  return c < 0 ? Infinity : c > 0 ? -Infinity : bucket;
}

/** One rollup to merge into a file: as v8 kept it, or summed by hour. */
interface Merge {
  point: string;
  bucket: number;
  min: number;
  max: number;
  sum: number;
  last: number;
  count: number;
}

/** Whether any v8 row is left to move (two seeks). */
export function oldRowsLeft(db: Database): boolean {
  return prepareOldRows(db).any.get() === 1;
}

/** Moves the v8 rows into history files, one slice per call. */
export class OldRowsMove {
  private readonly old;
  private readonly statements = new WeakMap<HistoryFile, MoveIn>();

  constructor(
    private readonly db: Database,
    private readonly history: HistoryWriter,
  ) {
    this.old = prepareOldRows(db);
  }

  /** One slice: samples first, then rollups; `more` false once nothing is left. */
  slice(o: MoveSliceOptions): MoveOutcome {
    const samples = this.old.samples.all(o.rows) as OldSample[];
    if (samples.length) return { ...this.moveSamples(samples, o), more: true };
    const rollups = this.old.rollups.all(o.rows) as OldRollup[];
    if (rollups.length) return { ...this.moveRollups(rollups, o), more: true };
    if (this.history.catalogue.meta(MOVE_META.done) == null)
      this.history.catalogue.setMeta(MOVE_META.done, new Date(o.now).toISOString());
    return { moved: 0, already: 0, pastRetention: 0, more: false };
  }

  private moveSamples(rows: OldSample[], o: MoveSliceOptions) {
    // As the history writer keeps them (writer.ts): whole days, today and rawRetentionDays before.
    const cutoff = startOf(dayOf(o.now)) - o.retention.raw * DAY_MS;
    const byDay = groupBy(
      rows.filter((r) => r[1] >= cutoff),
      (r) => dayOf(r[1]),
    );
    let moved = 0;
    let kept = 0;
    for (const [day, list] of byDay) {
      moved += this.writeBlocks(this.history.samplesFile(day), list);
      kept += list.length;
    }
    this.deleteMoved(rows, this.old.deleteSamples, MOVE_META.samples, kept);
    return { moved, already: kept - moved, pastRetention: rows.length - kept };
  }

  /** Writes a day's rows as blocks (each window of each point, at most BLOCK_MAX_SAMPLES a block), listed as moved. */
  private writeBlocks(file: HistoryFile, rows: OldSample[]): number {
    const s = this.statementsOf(file);
    let written = 0;
    const write = () => {
      for (const group of groupBy(rows, (r) => `${r[0]}\u0000${windowOf(r[1])}`).values()) {
        const point = group[0]![0];
        const window = windowOf(group[0]![1]);
        const id = file.pointId(point);
        const stored = this.storedTimes(s, id, point, window);
        const fresh = group.filter((r) => !stored.has(r[1]));
        for (let i = 0; i < fresh.length; i += BLOCK_MAX_SAMPLES) {
          const part = fresh.slice(i, i + BLOCK_MAX_SAMPLES);
          const data = encodeBlock({
            ts: part.map((r) => r[1]),
            values: part.map((r) => r[2]),
            quality: part.map((r) => QUALITY_CODES.indexOf(r[3] as (typeof QUALITY_CODES)[number])),
          });
          const seq = s.block!.run(id, part[0]![1], part[part.length - 1]![1], part.length, data).lastInsertRowid;
          s.moved!.run(seq);
        }
        written += fresh.length;
      }
    };
    try {
      file.db.transaction(write)();
    } catch (err) {
      // Point numbers cached in the transaction that did not commit are not the file's.
      file.forgetCachedIds();
      throw err;
    }
    return written;
  }

  /**
   * Times of a point's window the file holds already: in its blocks, or in the writer's open
   * blocks (samples sent again around the upgrade; a past day has none open, so this costs
   * nothing there).
   */
  private storedTimes(s: MoveIn, id: number, point: string, window: number): Set<number> {
    const out = new Set<number>();
    for (const data of s.windowBlocks!.all(id, window, window + BLOCK_WINDOW_MS) as Uint8Array[])
      for (const t of decodeBlock(data).ts) out.add(t);
    for (const t of this.history.openSamples(point, window, window + BLOCK_WINDOW_MS - 1).ts) out.add(t);
    return out;
  }

  private moveRollups(rows: OldRollup[], o: MoveSliceOptions) {
    // As history retention drops them (retention.ts): a file whose whole period is past its cut.
    const past = pastRetention(o.now, o.retention);
    const keepDay = (day: string) => !past('minutes', day);
    const keepMonth = (month: string) => !past('hours', month);
    let moved = 0;
    for (const [day, list] of groupBy(rows, (r) => dayOf(r[1])))
      if (keepDay(day)) this.mergeRollups(this.history.rollupsFile('minutes', day), list, asMinutes);
    for (const [month, list] of groupBy(rows, (r) => monthOf(r[1])))
      if (keepMonth(month)) this.mergeRollups(this.history.rollupsFile('hours', month), list, byHour);
    let expired = 0;
    for (const r of rows) {
      if (keepDay(dayOf(r[1])) || keepMonth(monthOf(r[1]))) moved++;
      else expired++;
    }
    this.deleteMoved(rows, this.old.deleteRollups, MOVE_META.rollups, moved);
    return { moved, already: 0, pastRetention: expired };
  }

  /** Merges the rows after the file's mark (as they are, or summed by hour), and moves the mark, in one commit. */
  private mergeRollups(file: HistoryFile, rows: OldRollup[], shape: (rows: OldRollup[]) => Merge[]): void {
    const s = this.statementsOf(file);
    const merge = () => {
      const mark = s.movedThrough.get(MOVED_THROUGH);
      // Rows are in (point, bucket) order: the mark's bound is looked up once per point.
      const through = new Map<string, number>();
      const fresh = rows.filter((r) => {
        let t = through.get(r[0]);
        if (t === undefined) through.set(r[0], (t = movedThroughFor(r[0], mark)));
        return r[1] > t;
      });
      if (!fresh.length) return;
      for (const m of shape(fresh))
        // v8 kept no time for `last`: the bucket's start, so a sample stored later in the same bucket wins.
        s.merge!.run(file.pointId(m.point), m.bucket, m.min, m.max, m.sum, m.last, m.bucket, m.count);
      const end = fresh[fresh.length - 1]!;
      s.setMovedThrough.run(MOVED_THROUGH, JSON.stringify([end[0], end[1]]));
    };
    try {
      file.db.transaction(merge)();
    } catch (err) {
      file.forgetCachedIds();
      throw err;
    }
  }

  /** Deletes the slice's rows (each point's up to its last time in the slice) and counts those moved, in one commit. */
  private deleteMoved(
    rows: (OldSample | OldRollup)[],
    del: { run(p: string, t: number): unknown },
    key: string,
    moved: number,
  ): void {
    const last = new Map<string, number>();
    for (const r of rows) last.set(r[0], r[1]);
    const { catalogue } = this.history;
    this.db.transaction(() => {
      for (const [point, t] of last) del.run(point, t);
      catalogue.setMeta(key, Number(catalogue.meta(key) ?? 0) + moved);
    })();
  }

  private statementsOf(file: HistoryFile): MoveIn {
    let s = this.statements.get(file);
    if (!s) this.statements.set(file, (s = prepareMoveIn(file.db, file.kind)));
    return s;
  }
}

/** v8 minute rows as they are (v8 kept the mean: the sum is mean × count). */
function asMinutes(rows: OldRollup[]): Merge[] {
  return rows.map(([point, bucket, min, max, mean, last, count]) => ({
    point,
    bucket,
    min,
    max,
    sum: mean * count,
    last,
    count,
  }));
}

/** v8 minute rows summed by hour; `last` of the latest minute (rows come in time order). */
function byHour(rows: OldRollup[]): Merge[] {
  const out = new Map<string, Merge>();
  for (const m of asMinutes(rows)) {
    const hour = m.bucket - (m.bucket % HOUR_MS);
    const key = `${m.point}\u0000${hour}`;
    const h = out.get(key);
    if (!h) {
      out.set(key, { ...m, bucket: hour });
      continue;
    }
    h.min = Math.min(h.min, m.min);
    h.max = Math.max(h.max, m.max);
    h.sum += m.sum;
    h.last = m.last;
    h.count += m.count;
  }
  return [...out.values()];
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(item);
  }
  return out;
}
