import type { Database, Statement } from 'better-sqlite3';
import type { Logger } from '../log';

const DAY = 86_400_000;
/** Rows one step may delete for one point: keeps each step to a few milliseconds. */
const STEP_ROWS = 2000;
const POINTS_PER_STEP = 25;

/**
 * Deletes raw samples and rollups past their retention, a few points and a few thousand
 * rows at a time with the event loop free in between, so pruning never stalls ingest.
 */
export class Retention {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly stmts: { points: Statement; raw: Statement; rollups: Statement };
  deleted = 0;

  constructor(
    db: Database,
    private readonly rawDays: number,
    private readonly rollupDays: number,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    this.stmts = {
      points: db.prepare('SELECT DISTINCT point_id FROM telemetry_rollups UNION SELECT id FROM telemetry_points'),
      // Bounded per step: everything older than the cut-off, at most STEP_ROWS rows.
      raw: db.prepare(`DELETE FROM telemetry_samples WHERE point_id = @id AND ts < @cut
        AND ts <= coalesce((SELECT ts FROM telemetry_samples WHERE point_id = @id AND ts < @cut ORDER BY ts LIMIT 1 OFFSET ${STEP_ROWS - 1}), @cut)`),
      rollups: db.prepare(`DELETE FROM telemetry_rollups WHERE point_id = @id AND bucket < @cut
        AND bucket <= coalesce((SELECT bucket FROM telemetry_rollups WHERE point_id = @id AND bucket < @cut ORDER BY bucket LIMIT 1 OFFSET ${STEP_ROWS - 1}), @cut)`),
    };
  }

  start(everyMs = 60_000): void {
    this.timer = setInterval(() => void this.run(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.running = false;
  }

  /** One full pass; resolves when every point is within its retention. */
  async run(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    const rawCut = this.now() - this.rawDays * DAY;
    const rollupCut = this.now() - this.rollupDays * DAY;
    let total = 0;
    try {
      let points = (this.stmts.points.all() as { point_id: string }[]).map((r) => r.point_id);
      // Passes until every point is done; a point with a large backlog takes one step per pass.
      while (points.length && this.running) {
        const more: string[] = [];
        for (let i = 0; i < points.length && this.running; i += POINTS_PER_STEP) {
          for (const id of points.slice(i, i + POINTS_PER_STEP)) {
            const n = this.prunePoint(id, rawCut, rollupCut);
            total += n.rows;
            if (n.more) more.push(id);
          }
          await new Promise((r) => setImmediate(r));
        }
        points = more;
      }
    } catch (err) {
      this.log.error('pruning old telemetry failed; will try again', { error: err });
    } finally {
      this.running = false;
    }
    this.deleted += total;
    if (total) this.log.debug('pruned old telemetry', { rows: total });
    return total;
  }

  /** One bounded step for one point; `more` when it hit the bound and has rows left. */
  private prunePoint(id: string, rawCut: number, rollupCut: number): { rows: number; more: boolean } {
    const raw = this.stmts.raw.run({ id, cut: rawCut }).changes;
    const rollups = this.stmts.rollups.run({ id, cut: rollupCut }).changes;
    return { rows: raw + rollups, more: raw >= STEP_ROWS || rollups >= STEP_ROWS };
  }
}
