import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { migrate, openConnection, schemaVersion } from '../../src/main/store';
import type { Telemetry } from '../../src/main/telemetry/telemetry';
import type { Trend } from '../../src/shared/telemetry';
import { cleanEnv, runCli } from '../helpers/cli';
import { countSamples, expectSameTrends, telemetryStation } from '../helpers/history';
import { tempDir } from '../helpers/tmp';

/*
 * The two stores from the command line: `db status` shows the history files beside the
 * database, `db backup` copies finished history files once and open ones each time, and
 * `db rollback` below schema 9 packs history back into rows (or refuses, naming what would be
 * lost), puts the files aside, and a later `db migrate` and start move the rows again once.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The real clock: the commands run with it (retention of backup copies, what is finished). */
const NOW = Date.now();
const POINTS = ['p-1/pressure', 'p-2/flow'];
/**
 * Where the v8 rows start: 01:00 UTC three days ago, whatever the time of day the test runs
 * (their 3 hours of samples and 5 of rollups stay inside that day, apart from the live ones).
 */
const START = NOW - (NOW % DAY) - 3 * DAY + HOUR;
const value = (t: number, k: number) => Math.round((40 + k + Math.sin(t / 600_000) * 3) * 100) / 100;

function setup() {
  const root = tempDir();
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir);
  return { root, dataDir, env: cleanEnv(dataDir), file: path.join(dataDir, 'plainview.db') };
}

/** v8 rows three days ago: raw samples every 10 s for 3 hours, minute rollups for 5 hours. */
function v8Rows(file: string): number {
  const db = openConnection(file);
  migrate(db, migrations, 8);
  const sample = db.prepare("INSERT INTO telemetry_samples VALUES (?, ?, ?, 'good')");
  const rollup = db.prepare('INSERT INTO telemetry_rollups VALUES (?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    POINTS.forEach((p, k) => {
      for (let t = START; t < START + 3 * HOUR; t += 10_000) sample.run(p, t, value(t, k));
      for (let t = START; t < START + 5 * HOUR; t += 60_000) rollup.run(p, t, 39, 45, 41 + k, 42, 6);
    });
  })();
  const n = db.prepare('SELECT count(*) FROM telemetry_samples').pluck().get() as number;
  db.close();
  return n;
}

const station = (dataDir: string) => telemetryStation(dataDir, NOW, 'local');

/** Live samples: two days ago (a day the sweep finishes) and earlier today (open). */
async function live(t: Telemetry): Promise<number> {
  const today = NOW - (NOW % DAY);
  const times = Array.from({ length: 60 }, (_, i) => [today - 2 * DAY + i * 10_000, today + ((NOW - today) * i) / 60]);
  for (const ts of times.flat()) t.record(POINTS[0]!, Math.floor(ts), value(ts, 0), 'good');
  expect(await t.writer.drain()).toBe(true);
  return times.length * 2;
}

async function trends(t: Telemetry): Promise<Trend[]> {
  const out: Trend[] = [];
  for (const p of POINTS) {
    out.push(await t.trends.between(p, START, START + 2 * HOUR));
    out.push(await t.trends.between(p, START - HOUR, START + 6 * HOUR));
    out.push(await t.trends.between(p, NOW - 3 * DAY, NOW));
    out.push(await t.trends.between(p, NOW - 20 * DAY, NOW));
  }
  return out;
}

const line = (stdout: string, label: string) => stdout.split('\n').find((l) => l.startsWith(label)) ?? '';

describe('plainview db and the history files', () => {
  it('status shows both stores; backup copies a finished file once, open files each time', async () => {
    const { root, dataDir, env, file } = setup();
    const moved = v8Rows(file);
    const s = await station(dataDir);
    const sent = await live(s.telemetry);
    let status = runCli(['db', 'status'], env, root);
    expect(status.code, status.stderr).toBe(0);
    expect(line(status.stdout, 'v8 rows to move:')).toMatch(
      new RegExp(`${moved} samples, ${POINTS.length * 300} rollups`),
    );
    while ((await s.telemetry.migration.step()).more);
    await s.telemetry.sweep();
    await s.close();

    status = runCli(['db', 'status'], env, root);
    expect(status.stdout).toMatch(/schema version: +9/);
    expect(line(status.stdout, 'history:')).toMatch(/history, \d+ bytes$/);
    // Three and two days ago finished; today open (samples, minutes; the month's hours).
    expect(line(status.stdout, 'history files:')).toMatch(
      /^history files: +samples 3 \(1 open, 2 finished\) \S+ to \S+;/,
    );
    expect(line(status.stdout, 'samples stored:')).toBe(
      `samples stored:  ${moved + sent} (finished days ${moved + sent / 2}, open days ${sent / 2})`,
    );
    expect(line(status.stdout, 'history backup:')).toMatch(/none \(finished files not copied yet: [1-9]\d*\)/);
    expect(line(status.stdout, 'v8 rows to move:')).toMatch(/none \(moved: \d+, finished /);

    const backup = runCli(['db', 'backup'], env, root);
    expect(backup.code, backup.stderr).toBe(0);
    const copied = /history copied to (\S+): (\d+) finished files, (\d+) open files/.exec(backup.stdout)!;
    expect(copied, backup.stdout).not.toBeNull();
    const [, target, finished, open] = copied;
    expect(Number(finished)).toBeGreaterThanOrEqual(4);
    expect(Number(open)).toBeGreaterThanOrEqual(2);
    const names = fs.readdirSync(target!).filter((n) => n.endsWith('.db'));
    expect(names).toHaveLength(Number(finished));
    for (const n of names)
      expect(fs.readFileSync(path.join(target!, n))).toEqual(fs.readFileSync(path.join(dataDir, 'history', n)));
    expect(fs.readdirSync(path.join(target!, 'open')).filter((n) => n.endsWith('.db'))).toHaveLength(Number(open));
    if (process.platform !== 'win32')
      for (const n of names) expect(fs.statSync(path.join(target!, n)).mode & 0o777).toBe(0o600);

    // Incremental: finished files are not copied again; open ones are, replacing their copies.
    const again = runCli(['db', 'backup'], env, root);
    expect(again.stdout).toMatch(new RegExp(`: 0 finished files, ${open} open files`));
    status = runCli(['db', 'status'], env, root);
    expect(line(status.stdout, 'history backup:')).toMatch(
      /^history backup: +\d{4}-\d\d-\d\dT\S+ \(finished files not copied yet: 0\)$/,
    );
  }, 120_000);

  it('rollback below 9 packs history back into rows and puts the files aside; migrate and the move bring it back once', async () => {
    const { root, dataDir, env, file } = setup();
    const v8 = v8Rows(file);
    let s = await station(dataDir);
    const sent = await live(s.telemetry);
    // Half moved: the rest are still rows when the rollback comes.
    for (let i = 0; i < 3; i++) await s.telemetry.migration.step();
    await s.telemetry.sweep();
    const before = await trends(s.telemetry);
    await s.close();
    expect(runCli(['db', 'backup'], env, root).code).toBe(0);

    const down = runCli(['db', 'rollback', '--to', '8'], env, root);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/backed up to .*pre-rollback/);
    const packed = /packed (\d+) samples and (\d+) minute rollups .* kept in (\S+) \(/.exec(down.stdout)!;
    expect(packed, down.stdout).not.toBeNull();
    expect(Number(packed[1])).toBe(v8 + sent);
    expect(fs.existsSync(path.join(dataDir, 'history'))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'backups', 'history'))).toBe(false);
    expect(fs.readdirSync(packed[3]!).sort()).toEqual(['backups-history', 'history']);
    const db = openConnection(file);
    expect(schemaVersion(db)).toBe(8);
    expect(db.prepare('SELECT count(*) FROM telemetry_samples').pluck().get()).toBe(v8 + sent);
    db.close();

    expect(runCli(['db', 'migrate'], env, root).code).toBe(0);
    s = await station(dataDir);
    while ((await s.telemetry.migration.step()).more);
    expectSameTrends(await trends(s.telemetry), before, 'after the rollback, the migration and the move');
    await s.close();
    expect(countSamples(dataDir)).toBe(v8 + sent);
  }, 120_000);

  it('rollback refuses, naming the days, when hour rollups have no minutes left; --accept-loss goes on', async () => {
    const { root, dataDir, env, file } = setup();
    v8Rows(file);
    const s = await station(dataDir);
    await live(s.telemetry);
    while ((await s.telemetry.migration.step()).more);
    await s.telemetry.sweep();
    await s.close();
    // Retention dropped the minutes of the day three days ago (its hours are in the month's file).
    const day = new Date(NOW - 3 * DAY).toISOString().slice(0, 10);
    fs.rmSync(path.join(dataDir, 'history', `${day}.minutes.db`));

    const refused = runCli(['db', 'rollback', '--to', '8'], env, root);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`would lose the hour rollups of ${day} (1 day)`);
    expect(refused.stderr).toContain('--accept-loss');
    expect(fs.readdirSync(path.join(dataDir, 'backups')).filter((n) => n.includes('pre-rollback'))).toEqual([]);
    const status = runCli(['db', 'status'], env, root);
    expect(status.stdout).toMatch(/schema version: +9/);

    const accepted = runCli(['db', 'rollback', '--to', '8', '--accept-loss'], env, root);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(runCli(['db', 'status'], env, root).stdout).toMatch(/schema version: +8/);
  }, 120_000);
});
