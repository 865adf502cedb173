import { spawn } from 'node:child_process';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../../src/shared/protocol';
import { startMosquitto } from '../helpers/brokers';
import { isMarker, markers } from '../helpers/markers';
import { testStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { publishValveState } from '../helpers/site';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const SCRIPT = path.resolve(__dirname, '../fixtures/operate-then-hang.ts');

describe('a station killed between operate and acknowledgement', () => {
  it('after restart the command is unknown (verify field state), audited, and the broker never sees its id again', async () => {
    const broker = await startMosquitto({
      persistence: true,
      extraConfig: ['autosave_on_changes true', 'autosave_interval 1'],
    });
    // Every command the broker carries, by id.
    const seen = new Map<string, number>();
    const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    cleanups.push(() => watcher.endAsync(true));
    watcher.on('message', (topic, p) => {
      if (isMarker(topic)) return;
      const id = (JSON.parse(p.toString()) as { id: string }).id;
      seen.set(id, (seen.get(id) ?? 0) + 1);
    });
    await watcher.subscribeAsync(topics.valveCommand('north', '+', '+'), { qos: 1 });
    const marker = await markers(watcher);
    // A valve whose gateway reports state but never answers commands.
    await publishValveState(watcher, 'v-301', 'Crash test');

    const dataDir = path.join(tempDir(), 'data');
    const env = {
      ...process.env,
      PLAINVIEW_DATA_DIR: dataDir,
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_SITE_ID: 'north',
      PLAINVIEW_STATION_ID: 'ws-1',
      PLAINVIEW_COMMAND_EXPIRY_SEC: '60',
    };
    // One process (tsx as a loader, not as a wrapper), so SIGKILL hits the station itself.
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const id = (await waitFor(() => /SENT (\S+)/.exec(out)?.[1], `the command to be sent; output: ${out}`, 30_000))!;
    await waitFor(() => seen.get(id) === 1, 'the broker carrying it');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const t = testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_PROTOCOL_VERSION: '5' }, dataDir);
    await t.station.start();
    cleanups.push(() => t.station.stop());
    const cmd = t.station.running().actuation.commands.get(id)!;
    expect(cmd.state).toBe('unknown');
    expect(cmd.reason).toMatch(/verify the field state/);
    expect(
      t.station
        .running()
        .audit.list()
        .some((e) => e.correlationId === id && e.action === 'actuation.unknown'),
    ).toBe(true);
    await waitFor(() => t.station.running().field.link.online, 'online again');
    // The valve is not blocked by the unknown command: the operator decides anew.
    await waitFor(() => t.station.running().field.state.valveView('v-301')?.quality === 'good', 'fresh');
    // Whatever the restarted station sent on reconnecting has reached the watcher: its outbox
    // is drained, and a marker it publishes after that has arrived.
    const { field, outbox } = t.station.running();
    await waitFor(() => outbox.unsentCount() === 0, 'the outbox drained');
    await marker.through((topic, payload) => field.link.publish(topic, payload), 'from the restarted station');
    expect(seen.get(id)).toBe(1);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  }, 60_000);
});
