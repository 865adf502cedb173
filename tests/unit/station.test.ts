import { migrations } from '../../migrations';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/main/config';
import { IpcRouter } from '../../src/main/ipc/router';
import { memorySink } from '../../src/main/log';
import { createStation } from '../../src/main/station';
import { createApi } from '../../src/shared/ipc/api';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

function station() {
  const dir = tempDir();
  const { config } = loadConfig({
    env: { PLAINVIEW_DATA_DIR: path.join(dir, 'data'), PLAINVIEW_SITE_ID: 'north', PLAINVIEW_STATION_ID: 'ws-1' },
    cwd: dir,
    policyPath: path.join(dir, 'none.json'),
    settingsPath: path.join(dir, 'none2.json'),
  });
  const sink = memorySink();
  return { s: createStation(config, { logSinks: [sink] }), sink };
}

describe('createStation', () => {
  it('starts a real station in-process and serves health and info through the IPC contract', async () => {
    const { s } = station();
    const router = new IpcRouter(s.handlers, () => true, s.log);
    const api = createApi(
      (ch, input) => router.dispatch(ch, input, 'test://'),
      () => () => undefined,
    );

    const before = await api.health.get();
    expect(before).toMatchObject({
      ok: true,
      value: { status: 'down', checks: { database: 'down' }, details: { database: { status: 'down' } }, demo: true },
    });

    await s.start();
    // No broker configured: the DEMO site comes up on the embedded broker.
    await waitFor(() => s.health.get().checks.mqtt === 'ok', 'the DEMO link');
    const health = await api.health.get();
    expect(health).toMatchObject({
      ok: true,
      value: {
        status: 'ok',
        // The seed's monitors read words; what is behind them is in details. DEMO site: demo.
        checks: { database: 'ok', mqtt: 'ok', event_bus: 'ok' },
        demo: true,
        details: {
          database: { status: 'ok', details: { schema_version: migrations.length } },
          mqtt: { status: 'ok', details: { link: { status: 'online' } } },
          event_bus: { status: 'ok' },
        },
      },
    });
    const info = await api.app.info();
    expect(info).toMatchObject({
      ok: true,
      value: { siteId: 'north', stationId: 'ws-1', schemaVersion: migrations.length, demo: true },
    });
    await waitFor(() => s.running().field.state.valves.size === 24, 'the simulated valves');
    expect(s.running().store.sql.all(s.running().store.sql.q.selectFrom('sites').select('id'))).toEqual([
      { id: 'north' },
    ]);

    await s.stop();
    expect(() => s.running()).toThrow(/not running/);
  });

  it('two stations in one process do not share state', async () => {
    const a = station();
    const b = station();
    await a.s.start();
    await b.s.start();
    expect(a.s.running().store.file).not.toBe(b.s.running().store.file);
    await a.s.stop();
    expect(b.s.health.get().checks.database).toBe('ok');
    await b.s.stop();
  });

  it('takes a first backup at start so a damaged file can always be restored', async () => {
    const { s } = station();
    const { store } = await s.start();
    // Taken on a thread; it appears in the list only once whole (written aside, then renamed).
    await waitFor(() => store.backups.list().length > 0, 'the first backup', 20_000);
    expect(store.backups.list().map((b) => b.reason)).toEqual(['scheduled']);
    await s.stop();
  });
});
