import type { Database, Statement } from 'better-sqlite3';
import type { Logger } from '../log';
import { openConnection } from '../store/connection';
import { prepareRetention, type RetentionStatements } from './sql';

const DAY = 86_400_000;
/**
 * Rows one statement may delete: about a millisecond of work (measured: fewer rows cost
 * about as much, a statement being mostly its commit).
 */
const STEP_ROWS = 500;
/**
 * Pruning hands the event loop back after this much work (a statement or two), and rests at
 * least as long before the next slice, longer while the event loop is busy: it adds a few
 * milliseconds at most to what operators wait for (event-loop delay p99 ≤ 10 ms; 4 ms slices
 * added twice as much under ingest, bench/history.ts), takes at most half of the main thread,
 * and gives way to ingest. A backlog is never urgent; it is gone in minutes all the same.
 */
const SLICE_MS = 2;
/** The longest rest between two slices while the event loop is busy with other work. */
const MAX_REST_MS = 200;
/** Another connection (the writer thread) holds the write lock: try again after this long. */
const BUSY_RETRY_MS = 10;
/**
 * What pruning wrote is checkpointed this often (while it writes), so a backlog never leaves a
 * large WAL for the next commit elsewhere (possibly on the event loop) to checkpoint in one
 * go. Measured on a quiet store: every 2 s, 35 MiB of WAL and 47 ms per checkpoint; every
 * 250 ms, about 4 MiB and 7 ms; under ingest the interval made no visible difference.
 */
const CHECKPOINT_EVERY_MS = 250;

/**
 * Deletes raw samples and rollups past their retention, a few hundred rows per statement and
 * a few milliseconds at a time, so pruning never stalls ingest or the console however large
 * the backlog.
 *
 * It writes over a connection of its own that never waits for a lock (busy_timeout 0): while
 * the writer thread commits a batch, a statement here fails with SQLITE_BUSY and is retried a
 * little later, where a shared connection would block the event loop until that commit ends.
 * Its commits are not fsynced (synchronous=NORMAL): a prune lost to a power cut is only done
 * again at the next pass, and the next commit of any other connection makes it durable anyway.
 * The points are found by seeking the primary keys, never by scanning (a `SELECT DISTINCT`
 * over a month of rollups held the event loop for half a second).
 */
export class Retention {
  private running = false;
  /** Which pass may go on: a pass that was stopped ends even if a new one has started. */
  private pass = 0;
  private timer: NodeJS.Timeout | null = null;
  private sliceStart = 0;
  private rest = SLICE_MS;
  /** When pruning last checkpointed, and whether it wrote since. */
  private checkpointedAt = 0;
  private wrote = false;
  /** SQLite's data_version when last looked at: it moves when another connection commits. */
  private othersVersion = -1;
  /** The running pass's own connection, closed by `stop` at once (the store closes next). */
  private conn: Database | null = null;
  deleted = 0;

  constructor(
    private readonly db: Database,
    private readonly rawDays: number,
    private readonly rollupDays: number,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  start(everyMs = 60_000): void {
    this.timer = setInterval(() => void this.run(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.running = false;
    this.pass++;
    this.closeConnection();
  }

  private closeConnection(): void {
    if (this.conn && this.conn !== this.db) this.conn.close();
    this.conn = null;
  }

  /** One full pass; resolves when every point is within its retention (or when stopped). */
  async run(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    const pass = ++this.pass;
    const live = () => this.pass === pass;
    const rawCut = this.now() - this.rawDays * DAY;
    const rollupCut = this.now() - this.rollupDays * DAY;
    let total = 0;
    try {
      const conn = (this.conn = this.connection());
      const s = prepareRetention(conn, STEP_ROWS);
      this.sliceStart = this.checkpointedAt = performance.now();
      this.wrote = false;
      this.othersVersion = Number(conn.pragma('data_version', { simple: true }));
      const points = await this.pointIds(s, live);
      for (const id of points) {
        for (const [stmt, cut] of [
          [s.raw, rawCut],
          [s.rollups, rollupCut],
        ] as const) {
          for (;;) {
            const n = await this.step(stmt, id, cut, live);
            if (n === null) return total;
            total += n;
            if (n < STEP_ROWS) break;
          }
        }
      }
      if (this.wrote && (await this.yieldIfDue(live))) this.checkpoint(conn);
    } catch (err) {
      this.log.error('pruning old telemetry failed; will try again', { error: err });
    } finally {
      if (live()) {
        this.running = false;
        this.closeConnection();
      }
      this.deleted += total;
      if (total) this.log.debug('pruned old telemetry', { rows: total });
    }
    return total;
  }

  /** Every point with samples, rollups or a description, found by seeking the keys: no table scan. */
  private async pointIds(s: RetentionStatements, live: () => boolean): Promise<string[]> {
    const ids = new Set(s.points.all() as string[]);
    for (const next of [s.nextSamplePoint, s.nextRollupPoint]) {
      let id = next.get('') as string | undefined;
      while (id !== undefined) {
        ids.add(id);
        if (!(await this.yieldIfDue(live))) return [];
        id = next.get(id) as string | undefined;
      }
    }
    return [...ids].sort();
  }

  /** Deletes one bounded step for one point; the rows deleted, or null once stopped. */
  private async step(stmt: Statement, id: string, cut: number, live: () => boolean): Promise<number | null> {
    for (;;) {
      if (!(await this.yieldIfDue(live))) return null;
      try {
        const n = stmt.run({ id, cut }).changes;
        if (n > 0) this.wrote = true;
        if (this.wrote && performance.now() - this.checkpointedAt >= CHECKPOINT_EVERY_MS) {
          if (!(await this.yieldIfDue(live))) return null;
          this.checkpoint(stmt.database);
        }
        return n;
      } catch (err) {
        if (!String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw err;
        await new Promise((r) => setTimeout(r, BUSY_RETRY_MS));
        this.sliceStart = performance.now();
      }
    }
  }

  /**
   * A passive checkpoint (it never waits for readers or writers) of what pruning wrote;
   * skipped when other connections have committed meanwhile (ingest): each of their commits
   * checkpoints the WAL once it passes SQLite's threshold, the writer thread's off the event loop.
   */
  private checkpoint(db: Database): void {
    const others = Number(db.pragma('data_version', { simple: true }));
    if (others === this.othersVersion) db.pragma('wal_checkpoint(PASSIVE)');
    this.othersVersion = others;
    this.checkpointedAt = performance.now();
    this.wrote = false;
  }

  /** Hands the event loop back once this turn's budget is spent; false once stopped. */
  private async yieldIfDue(live: () => boolean): Promise<boolean> {
    if (performance.now() - this.sliceStart >= SLICE_MS) {
      const asked = this.rest;
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, asked));
      this.sliceStart = performance.now();
      // A rest that ended late means the event loop is busy (a flood, the console): back off;
      // once it is quiet again, come back to the shortest rest.
      const late = this.sliceStart - t0 - asked;
      this.rest = late > SLICE_MS ? Math.min(MAX_REST_MS, asked * 2) : Math.max(SLICE_MS, asked / 2);
    }
    return live();
  }

  /** Its own connection to the store's file (the store's own for an in-memory database). */
  private connection(): Database {
    if (this.db.memory) return this.db;
    const conn = openConnection(this.db.name);
    try {
      conn.pragma('busy_timeout = 0');
      conn.pragma('synchronous = NORMAL');
      // Never checkpoints by itself at commit: under ingest the WAL is mostly the writer
      // thread's, and the writer thread checkpoints it there. See `step` for its own share.
      conn.pragma('wal_autocheckpoint = 0');
    } catch (err) {
      conn.close();
      throw err;
    }
    return conn;
  }
}
