import mqtt from 'mqtt';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMosquitto } from '../helpers/brokers';
import { testStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('a station upgraded from protocol v1 with messages still queued', () => {
  it('sends its unsent events and snapshots on their v2 topics, where the other stations listen', async () => {
    const dataDir = path.join(tempDir(), 'data');
    // Offline (no broker): an incident is opened; its event and snapshot wait in the outbox.
    const offline = testStation({ PLAINVIEW_MQTT_URL: 'mqtt://127.0.0.1:9' }, dataDir);
    await offline.station.start();
    const created = offline.station.running().incidents.create('alice', {
      title: 'Leak reported at KP 12',
      severity: 'high',
      description: '',
      segment: null,
      valves: [],
      alarms: [],
    });
    expect(created.ok).toBe(true);
    const id = created.ok ? created.value.id : '';
    await waitFor(() => offline.station.running().outbox.unsentCount() >= 2, 'the event and the snapshot queued');
    await offline.station.stop();

    // As a v1 station queued them: events/<station>, snapshots/incidents/<id>.
    const db = new Database(path.join(dataDir, 'plainview.db'));
    db.exec(`UPDATE outbox SET topic = 'plainview/v1/north/events/ws-1' WHERE topic LIKE '%/stations/ws-1/events'`);
    db.prepare(`UPDATE outbox SET topic = ? WHERE topic LIKE '%/snapshots/incidents/%'`).run(
      `plainview/v1/north/snapshots/incidents/${id}`,
    );
    expect(db.prepare("SELECT count(*) FROM outbox WHERE topic LIKE 'plainview/v1/%'").pluck().get()).toBe(2);
    db.close();

    const broker = await startMosquitto();
    const sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    cleanups.push(() => sub.endAsync());
    const seen: string[] = [];
    sub.on('message', (topic) => seen.push(topic));
    await sub.subscribeAsync(['plainview/v1/#', 'plainview/v2/north/stations/ws-1/#'], { qos: 1 });

    const upgraded = testStation({ PLAINVIEW_MQTT_URL: broker.url }, dataDir);
    await upgraded.station.start();
    cleanups.push(() => upgraded.station.stop());
    await waitFor(() => upgraded.station.running().outbox.unsentCount() === 0, 'the queue sent', 60_000);
    await waitFor(
      () =>
        seen.includes('plainview/v2/north/stations/ws-1/events') &&
        seen.includes(`plainview/v2/north/stations/ws-1/snapshots/incidents/${id}`),
      'the event and the snapshot on their v2 topics',
    );
    expect(seen.filter((t) => t.startsWith('plainview/v1/'))).toEqual([]);
    expect(upgraded.lines.some((l) => l.includes('queued messages moved to their new topics'))).toBe(true);
  }, 90_000);
});
