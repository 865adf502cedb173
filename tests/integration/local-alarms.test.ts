import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMosquitto } from '../helpers/brokers';
import { read, testStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe("a station's own alarms across a restart", () => {
  it('a link-down alarm active when the station stopped clears once the restarted station is online; working it shares nothing', async () => {
    const broker = await startMosquitto();
    cleanups.push(() => broker.kill());
    const dataDir = path.join(tempDir(), 'data');
    const env = { PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_STATION_ID: 'ws-1' };
    const first = testStation(env, dataDir);
    await first.station.start();
    await waitFor(() => first.station.running().field.link.online, 'online');
    await broker.kill();
    const id = 'link-down-ws-1';
    await waitFor(
      () => first.station.running().alarms.get(id)?.state === 'active_unacked',
      'the link-down alarm',
      30_000,
    );
    await first.station.stop();

    await broker.restart();
    const second = testStation(env, dataDir);
    await second.station.start();
    cleanups.push(() => second.station.stop());
    await waitFor(() => second.station.running().field.link.online, 'online again');
    await waitFor(
      () => second.station.running().alarms.get(id)?.state === 'cleared_unacked',
      'cleared after the restart',
    );

    // Acknowledged after the restart: still this station's own, never sent to the others.
    expect(read(second, 'alarms.acknowledge', { ids: [id] })).toMatchObject([{ ok: true, value: { state: 'normal' } }]);
    const queued = second.station
      .running()
      .store.db.prepare("SELECT count(*) AS n FROM outbox WHERE topic LIKE '%' || ?")
      .get(id) as { n: number };
    expect(queued.n).toBe(0);
  }, 90_000);
});
