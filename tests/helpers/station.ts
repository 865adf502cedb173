import path from 'node:path';
import { loadConfig, type Config } from '../../src/main/config';
import { memorySink } from '../../src/main/log';
import { createStation, type Station, type StationDeps } from '../../src/main/station';
import { tempDir } from './tmp';
import type { ChannelName } from '../../src/shared/ipc/channels';
import type { Result } from '../../src/shared/refusal';

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

/** A handler called as the console calls it (synchronous handlers only): its Result. */
export function ask(t: TestStation, channel: ChannelName, input?: unknown): Result<unknown> {
  const handler = t.station.handlers[channel] as (i: unknown, c: unknown) => Result<unknown>;
  return handler(input, { requestId: 'test', senderUrl: 'test://' });
}

/** The value of a call that must succeed; a refusal fails the test with its words. */
export function read(t: TestStation, channel: ChannelName, input?: unknown): unknown {
  const r = ask(t, channel, input);
  if (!r.ok) throw new Error(`${channel} refused: ${r.refusal.code} ${r.refusal.message}`);
  return r.value;
}

/** `read` for a handler that answers later (trends read the writer thread's open blocks). */
export async function readLater(t: TestStation, channel: ChannelName, input?: unknown): Promise<unknown> {
  const handler = t.station.handlers[channel] as (i: unknown, c: unknown) => Promise<Result<unknown>>;
  const r = await handler(input, { requestId: 'test', senderUrl: 'test://' });
  if (!r.ok) throw new Error(`${channel} refused: ${r.refusal.code} ${r.refusal.message}`);
  return r.value;
}
