import path from 'node:path';
import { loadConfig, type Config } from '../../src/main/config';
import { memorySink } from '../../src/main/log';
import { createStation, type Station, type StationDeps } from '../../src/main/station';
import { tempDir } from './tmp';

export interface TestStation {
  station: Station;
  config: Config;
  lines: string[];
}

/** A real station in this process, on its own data folder, with the given settings. */
export function testStation(
  env: Record<string, string>,
  dataDir = path.join(tempDir(), 'data'),
  deps: Partial<Omit<StationDeps, 'logSinks'>> = {},
): TestStation {
  const dir = path.dirname(dataDir);
  const { config } = loadConfig({
    env: {
      PLAINVIEW_DATA_DIR: dataDir,
      PLAINVIEW_SITE_ID: 'north',
      PLAINVIEW_STATION_ID: 'ws-1',
      PLAINVIEW_LOG_LEVEL: 'debug',
      ...env,
    },
    cwd: dir,
    policyPath: path.join(dir, 'no-policy.json'),
    settingsPath: path.join(dir, 'no-settings.json'),
  });
  const sink = memorySink();
  return {
    station: createStation(config, { osAccount: 'alice', ...deps, logSinks: [sink] }),
    config,
    lines: sink.lines,
  };
}
