/**
 * A data folder with a year of history, for the history and start-up benchmarks: what a
 * station that has run for a year keeps, written by the station's own history writer
 * (src/main/history/writer.ts, with a clock of its own) rather than by hand:
 *
 * - the last 30 days: one sample per point a minute, their samples files kept (the 22 beyond
 *   the default 7 days of raw retention are the backlog a station finds after retention was
 *   lowered or while it was off), minute rollups per day, hour rollups per month;
 * - the 335 days before: one sample per point an hour, their samples files dropped as
 *   retention drops them, so only their minute and hour rollups remain (less data in each
 *   file than a real year at one a minute, the same files: the station's work at start, for a
 *   backup or a retention pass is per file, not per byte; a year at one a minute over 200
 *   points would be 5 GB of minute rollups to build and copy);
 * - the day the data ends still open (its journal holding the samples not yet in a block),
 *   as a station leaves it when it stops.
 *
 * Built once per history format, schema version and layout below, in the OS temp folder, and
 * reused: 200 points take about two minutes here. A benchmark works on `copyYear`, whose
 * finished files are hard links to the cache (a finished file is immutable: the station
 * reopens one only for late data, which no benchmark sends) and whose open files are copies.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from '../../migrations';
import type { DaySample } from '../../src/main/history/day-writer';
import { dayOf, DAY_MS, endOf, startOf } from '../../src/main/history/layout';
import { HISTORY_FORMAT } from '../../src/main/history/sql';
import { FINISH_AFTER_MS, HistoryWriter } from '../../src/main/history/writer';
import { latestVersion, migrate } from '../../src/main/store/migrator';
import { pointId, SITE } from './stations';

/** Bump when what the builder writes changes, so an old cache is not reused. */
const LAYOUT = 1;
export const YEAR_DAYS = 365;
export const RECENT_DAYS = 30;
const MINUTE = 60_000;
const HOUR = 3_600_000;

export interface HistoryYear {
  /** The cached folder: plainview.db and history/. */
  dir: string;
  points: number;
  /** When the data ends (epoch ms): a station's clock should start here. */
  end: number;
  samples: number;
  files: number;
  bytes: number;
}

/** The cached year for `points` points, built first if there is none. */
export function historyYear(points: number, log: (l: string) => void): HistoryYear {
  const dir = path.join(
    os.tmpdir(),
    `plainview-bench-year-schema${latestVersion(migrations)}-history${HISTORY_FORMAT}-layout${LAYOUT}-${points}p`,
  );
  const about = path.join(dir, 'year.json');
  if (!fs.existsSync(about)) build(dir, points, log);
  return { dir, ...(JSON.parse(fs.readFileSync(about, 'utf8')) as Omit<HistoryYear, 'dir'>) };
}

function build(dir: string, points: number, log: (l: string) => void): void {
  const t0 = Date.now();
  const building = `${dir}.${process.pid}.building`;
  fs.rmSync(building, { recursive: true, force: true });
  fs.mkdirSync(building);
  const db = new Database(path.join(building, 'plainview.db'));
  let samples = 0;
  const end = Math.floor(Date.now() / MINUTE) * MINUTE;
  try {
    migrate(db, migrations);
    seedPoints(db, points, end);
    const writer = new HistoryWriter({ dir: path.join(building, 'history'), db, rawRetentionDays: YEAR_DAYS + 35 });
    const first = startOf(dayOf(end)) - (YEAR_DAYS - 1) * DAY_MS;
    const recent = startOf(dayOf(end)) - (RECENT_DAYS - 1) * DAY_MS;
    for (let day = first; day < end; day += DAY_MS) {
      // Older days in one commit (and one sweep that finishes them); recent ones an hour at a time.
      const step = day < recent ? DAY_MS : HOUR;
      for (let t = day; t < Math.min(day + DAY_MS, end); t += step) {
        const until = Math.min(t + step, end);
        const batch = samplesOf(points, t, until, day < recent ? HOUR : MINUTE);
        writer.write(batch, until);
        writer.sweep(day < recent ? until + FINISH_AFTER_MS : until);
        samples += batch.length;
      }
      if ((day - first) % (30 * DAY_MS) === 0) log(`  building a year of history (${points} points): ${dayOf(day)}`);
    }
    // Raw samples beyond the recent days go as retention drops them: whole files.
    for (const row of writer.catalogue.all())
      if (row.kind === 'samples' && endOf(row.key) <= recent) writer.drop('samples', row.key);
    writer.close();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  const files = fs.readdirSync(path.join(building, 'history')).filter((f) => f.endsWith('.db'));
  const bytes = files.reduce((n, f) => n + fs.statSync(path.join(building, 'history', f)).size, 0);
  fs.writeFileSync(
    path.join(building, 'year.json'),
    JSON.stringify({ points, end, samples, files: files.length, bytes }),
  );
  fs.renameSync(building, dir);
  log(
    `  built a year of history: ${files.length} files, ${Math.round(bytes / 2 ** 20)} MiB, ` +
      `${samples.toLocaleString('en-US')} samples, in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
}

/** The site and its points in the operational database, as the field described them. */
function seedPoints(db: Database.Database, points: number, now: number): void {
  db.transaction(() => {
    const at = new Date(now).toISOString();
    db.prepare('INSERT INTO sites (id, name, demo, created_at) VALUES (?, ?, 0, ?)').run(SITE, 'Bench pipeline', at);
    const point = db.prepare(`INSERT INTO telemetry_points (id, site_id, kind, unit, segment, valve_id, last_value,
      last_quality, last_ts) VALUES (?, ?, 'pressure', 'bar', NULL, NULL, 50, 'good', ?)`);
    for (let p = 0; p < points; p++) point.run(pointId(p), SITE, now);
  })();
}

/** Every point's samples in [from, to), `everyMs` apart: decimals with two places, as a transmitter sends. */
function samplesOf(points: number, from: number, to: number, everyMs: number): DaySample[] {
  const out: DaySample[] = [];
  for (let t = from; t < to; t += everyMs) {
    const i = t / MINUTE;
    for (let p = 0; p < points; p++)
      out.push({ point: pointId(p), ts: t, value: 40 + ((i * 7919 + p * 131) % 2003) / 100, quality: 0 });
  }
  return out;
}

/**
 * A working copy of the year in `dataDir` (created): the operational database copied, the
 * history files linked (finished) or copied (open, the station writes them).
 */
export function copyYear(year: HistoryYear, dataDir: string, database = path.join(year.dir, 'plainview.db')): void {
  const history = path.join(dataDir, 'history');
  fs.mkdirSync(history, { recursive: true, mode: 0o700 });
  fs.copyFileSync(database, path.join(dataDir, 'plainview.db'));
  for (const f of finishedFiles(year)) fs.linkSync(path.join(year.dir, 'history', f), path.join(history, f));
  for (const f of fs.readdirSync(path.join(year.dir, 'history')))
    if (!fs.existsSync(path.join(history, f)))
      fs.copyFileSync(path.join(year.dir, 'history', f), path.join(history, f));
}

/** The names of the year's finished history files, from its catalogue. */
function finishedFiles(year: HistoryYear): string[] {
  const db = new Database(path.join(year.dir, 'plainview.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT kind, key FROM history_files WHERE state = 'finished'").all() as {
      kind: string;
      key: string;
    }[];
    return rows.map((r) => `${r.key}.${r.kind}.db`);
  } finally {
    db.close();
  }
}
