import fs from 'node:fs';
import type { Database } from 'better-sqlite3';
import { makePrivateDir } from '../config/data-dir';
import { Catalogue } from './catalogue';
import { isDamage, quarantineHistoryFile, type Damage } from './damage';
import { DayWriter, toColumns, type ColumnBatch, type DaySample, type WrittenBlock } from './day-writer';
import { HistoryFile } from './file';
import { dayOf, DAY_MS, endOf, historyFile, monthOf, parseHistoryFile, startOf, type HistoryKind } from './layout';
import { HOUR_MS, MINUTE_MS, rollUp } from './rollup-math';
import { prepareRollupsWrite, type RollupsWrite } from './sql';

/** A block window is written out this long after it ended (late samples still join it). */
export const SEAL_GRACE_MS = 60_000;
/** A day's files are finished (immutable, backed up once) this long after the day ended. */
export const FINISH_AFTER_MS = 3_600_000;

export interface HistoryWriterOptions {
  /** The history folder. */
  dir: string;
  /** The operational database (this thread's connection): the catalogue. */
  db: Database;
  /** Samples older than this many days are not stored (retention would drop them at once). */
  rawRetentionDays: number;
}

export interface SweepOutcome {
  rollupProblem: string | null;
  damaged: Damage[];
}

export interface WriteOutcome {
  duplicates: number;
  tooOld: number;
  /** Why rolling up failed (the samples are stored; the rollups follow once it works). */
  rollupProblem: string | null;
  /** History files found damaged and moved aside since the last answer. */
  damaged: Damage[];
}

interface RollupFile {
  file: HistoryFile;
  s: RollupsWrite;
}

/**
 * Writes history: samples into the day's file (DayWriter), blocks rolled up into minute and
 * hour rollups, days finished once over, files dropped by retention. One writer per history
 * folder (the writer thread, or the main thread without one).
 */
export class HistoryWriter {
  private readonly days = new Map<string, DayWriter>();
  private readonly rollupFiles = new Map<string, RollupFile>();
  /** The days of a batch already committed when another day of it failed: not written twice when it is retried. */
  private partial: { key: number; days: Set<string> } | null = null;
  /** Damaged files moved aside, not yet reported. */
  private damaged: Damage[] = [];
  readonly catalogue: Catalogue;

  constructor(private readonly o: HistoryWriterOptions) {
    makePrivateDir(o.dir);
    this.catalogue = new Catalogue(o.db);
    this.reconcile();
    // Files left open (a stop, a crash): their journals replayed, their blocks caught up.
    for (const row of this.catalogue.all()) {
      if (row.state !== 'open') continue;
      if (row.kind === 'samples') this.catchUp(this.day(row.key));
      else this.rollupFile(row.kind, row.key);
    }
  }

  /** Writes samples given one by one (tests, tools). */
  write(samples: readonly DaySample[], now: number, key = -1): WriteOutcome {
    return this.writeColumns(toColumns(samples), now, key);
  }

  /** Writes a batch (`key` names it: a retry of a batch that failed part-way skips the days done). */
  writeColumns(b: ColumnBatch, now: number, key = -1): WriteOutcome {
    const cutoff = startOf(dayOf(now)) - this.o.rawRetentionDays * DAY_MS;
    const byDay = new Map<string, number[]>();
    let tooOld = 0;
    // Nearly every sample of a batch is of the same day: its bounds are worked out once.
    let list: number[] = [];
    let from = Infinity;
    let to = -Infinity;
    for (let i = 0; i < b.ts.length; i++) {
      const t = b.ts[i]!;
      if (t < cutoff) {
        tooOld++;
        continue;
      }
      if (t < from || t >= to) {
        const d = dayOf(t);
        from = startOf(d);
        to = from + DAY_MS;
        list = byDay.get(d) ?? [];
        byDay.set(d, list);
      }
      list.push(i);
    }
    let duplicates = 0;
    const done = this.partial?.key === key ? this.partial.days : new Set<string>();
    this.partial = null;
    for (const [d, rows] of byDay) {
      if (done.has(d)) continue;
      try {
        duplicates += this.writeDay(d, b, rows);
      } catch (err) {
        if (done.size) this.partial = { key, days: done };
        throw err;
      }
      done.add(d);
    }
    return { duplicates, tooOld, rollupProblem: this.rollAll(), damaged: this.takeDamaged() };
  }

  /** Damaged files moved aside since last asked. */
  takeDamaged(): Damage[] {
    const out = this.damaged;
    this.damaged = [];
    return out;
  }

  /** A day's samples; a file found damaged while written is moved aside and the day goes on in a new one. */
  private writeDay(d: string, b: ColumnBatch, rows: readonly number[]): number {
    try {
      return this.day(d).write(b, rows);
    } catch (err) {
      if (!isDamage(err)) throw err;
      this.days.get(d)?.close();
      this.days.delete(d);
      this.damaged.push(quarantineHistoryFile(this.o.dir, historyFile(this.o.dir, 'samples', d), err));
      return this.day(d).write(b, rows);
    }
  }

  /** Writes out blocks whose window is over, rolls them up, finishes days and months that are over. */
  sweep(now: number): SweepOutcome {
    for (const [d, w] of this.days) {
      const allSealed = w.sweep(now - SEAL_GRACE_MS);
      if (allSealed && now >= endOf(d) + FINISH_AFTER_MS && this.roll(w) === null) this.finishDay(w);
    }
    const problem = this.rollAll();
    // A day's minutes once the day is finished; a month's hours once all its days are.
    for (const [name, r] of this.rollupFiles) {
      const { key } = r.file;
      const busy = [...this.days.keys()].some((d) => d.startsWith(key));
      if (!busy && now >= endOf(key) + FINISH_AFTER_MS) this.finishFile(r.file, name);
    }
    return { rollupProblem: problem, damaged: this.takeDamaged() };
  }

  /** A point's samples between two times that are not in a block yet (trends read them beside the files). */
  openSamples(point: string, from: number, to: number): { ts: number[]; values: number[] } {
    const out = { ts: [] as number[], values: [] as number[] };
    for (const [d, w] of this.days) {
      if (startOf(d) > to || endOf(d) <= from) continue;
      const part = w.openSamples(point, from, to);
      out.ts.push(...part.ts);
      out.values.push(...part.values);
    }
    return out;
  }

  /** Retention: the file goes whole (closed here first), and its catalogue row. */
  drop(kind: HistoryKind, key: string): void {
    if (kind === 'samples') {
      this.days.get(key)?.close();
      this.days.delete(key);
    }
    const name = `${kind}:${key}`;
    this.rollupFiles.get(name)?.file.close();
    this.rollupFiles.delete(name);
    const file = historyFile(this.o.dir, kind, key);
    for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
    this.catalogue.remove(kind, key);
  }

  /** A day's samples file, open for writing: the move of v8 rows writes its blocks there (move-rows.ts). */
  samplesFile(day: string): HistoryFile {
    return this.day(day).file;
  }

  /** A minutes or hours file, open for writing: the move of v8 rows merges their rollups there. */
  rollupsFile(kind: 'minutes' | 'hours', key: string): HistoryFile {
    return this.rollupFile(kind, key).file;
  }

  close(): void {
    for (const w of this.days.values()) w.close();
    for (const r of this.rollupFiles.values()) r.file.close();
    this.days.clear();
    this.rollupFiles.clear();
  }

  private day(d: string): DayWriter {
    let w = this.days.get(d);
    if (!w) {
      w = this.opening('samples', d, () => new DayWriter(this.o.dir, d));
      this.days.set(d, w);
      if (this.catalogue.get('samples', d)?.state !== 'open') this.catalogue.opened('samples', d);
    }
    return w;
  }

  /** Rollup files behind a day's blocks (after a crash between a block and its rollups). */
  private catchUp(w: DayWriter): void {
    for (const kind of ['minutes', 'hours'] as const) {
      const r = this.rollupFile(kind, kind === 'hours' ? w.day.slice(0, 7) : w.day);
      const mark = (r.s.rolled.get(w.day) as number | undefined) ?? 0;
      this.rollInto(r, w.day, w.blocksAfter(mark));
    }
  }

  private rollAll(): string | null {
    let problem: string | null = null;
    for (const w of this.days.values()) problem = this.roll(w) ?? problem;
    return problem;
  }

  /**
   * Rolls a day's newly written blocks into its minutes and its month's hours. If that fails
   * they are kept and rolled later (each rollup file's mark keeps a block from counting twice);
   * answers why, or null.
   */
  private roll(w: DayWriter): string | null {
    if (!w.toRoll.length) return null;
    const blocks = w.toRoll;
    try {
      this.rollInto(this.rollupFile('minutes', w.day), w.day, blocks);
      this.rollInto(this.rollupFile('hours', monthOf(startOf(w.day))), w.day, blocks);
    } catch (err) {
      return (err as Error).message;
    }
    w.toRoll = [];
    return null;
  }

  private rollInto(r: RollupFile, day: string, blocks: readonly WrittenBlock[]): void {
    const mark = (r.s.rolled.get(day) as number | undefined) ?? 0;
    const fresh = blocks.filter((b) => b.seq > mark);
    if (!fresh.length) return;
    const size = r.file.kind === 'hours' ? HOUR_MS : MINUTE_MS;
    r.file.db.transaction(() => {
      for (const b of fresh) {
        const point = r.file.pointId(b.point);
        for (const x of rollUp(b.ts, b.values, size))
          r.s.merge.run(point, x.bucket, x.min, x.max, x.sum, x.last, x.lastTs, x.count);
      }
      r.s.mark.run(day, Math.max(...fresh.map((b) => b.seq)));
    })();
  }

  private rollupFile(kind: 'minutes' | 'hours', key: string): RollupFile {
    const name = `${kind}:${key}`;
    let r = this.rollupFiles.get(name);
    if (!r) {
      const file = this.opening(kind, key, () => HistoryFile.forWriting(this.o.dir, kind, key));
      r = { file, s: prepareRollupsWrite(file.db) };
      this.rollupFiles.set(name, r);
      if (this.catalogue.get(kind, key)?.state !== 'open') this.catalogue.opened(kind, key);
    }
    return r;
  }

  /**
   * Opens a file to write; one SQLite cannot read (damaged between runs) is moved aside and a new
   * one started: history goes on, the damage is reported (an alarm), the rest of the day's
   * history is in the backup copy if the day was finished before.
   */
  private opening<T>(kind: HistoryKind, key: string, open: () => T): T {
    try {
      return open();
    } catch (err) {
      if (!isDamage(err)) throw err;
      this.damaged.push(quarantineHistoryFile(this.o.dir, historyFile(this.o.dir, kind, key), err));
      return open();
    }
  }

  private finishDay(w: DayWriter): void {
    const totals = w.totals();
    w.finish();
    this.days.delete(w.day);
    this.markFinished('samples', w.day, w.file.path, totals);
  }

  private finishFile(file: HistoryFile, name: string): void {
    file.finish();
    this.rollupFiles.delete(name);
    this.markFinished(file.kind, file.key, file.path, { samples: 0, first: null, last: null });
  }

  private markFinished(
    kind: HistoryKind,
    key: string,
    path: string,
    t: { samples: number; first: number | null; last: number | null },
  ): void {
    const bytes = fs.statSync(path).size;
    this.catalogue.finished(kind, key, { ...t, bytes, at: new Date().toISOString() });
  }

  /** The folder is the truth: files the catalogue lacks are looked at as open; rows without a file go. */
  private reconcile(): void {
    const present = new Set<string>();
    for (const name of fs.readdirSync(this.o.dir)) {
      const f = parseHistoryFile(name);
      if (!f) continue;
      present.add(`${f.kind}:${f.key}`);
      if (!this.catalogue.get(f.kind, f.key)) this.catalogue.opened(f.kind, f.key);
    }
    for (const row of this.catalogue.all())
      if (!present.has(`${row.kind}:${row.key}`)) this.catalogue.remove(row.kind, row.key);
  }
}
