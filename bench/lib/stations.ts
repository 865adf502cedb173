/**
 * What the actuation, API, disk and history benchmarks share: a real station in this process
 * on its own data folder (loadConfig + createStation, as `plainview station` does), and
 * waiting for a condition.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/main/config';
import { createStation, type Running, type Station, type StationDeps } from '../../src/main/station';

export const SITE = 'bench';

export interface BenchStation {
  station: Station;
  running: Running;
  config: Config;
  dir: string;
  /** Stops the station and removes its data folder (unless it was given). */
  stop(): Promise<void>;
}

/** A station on a data folder of its own (a new temporary one unless `dataDir` is given). */
export async function startStation(
  env: Record<string, string>,
  o: { dataDir?: string; deps?: Partial<StationDeps> } = {},
): Promise<BenchStation> {
  const dir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-bench-'));
  const { config } = loadConfig({
    env: {
      PLAINVIEW_DATA_DIR: dir,
      PLAINVIEW_SITE_ID: SITE,
      PLAINVIEW_STATION_ID: 'bench-station',
      PLAINVIEW_LOG_LEVEL: 'error',
      ...env,
    },
    cwd: dir,
    policyPath: path.join(dir, 'none.json'),
    settingsPath: path.join(dir, 'none.json'),
  });
  const station = createStation(config, { logSinks: [], osAccount: 'bench', ...o.deps });
  const running = await station.start();
  return {
    station,
    running,
    config,
    dir,
    stop: async () => {
      await station.stop();
      if (!o.dataDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `ok` every few milliseconds; throws after `timeoutMs` naming what was awaited. */
export async function waitUntil(ok: () => boolean, what: string, timeoutMs = 30_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const pointId = (i: number) => `p-${String(i).padStart(5, '0')}`;
