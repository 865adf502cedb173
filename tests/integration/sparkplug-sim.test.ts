import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SparkplugMapping } from '../../src/shared/sparkplug';
import { startMosquitto } from '../helpers/brokers';
import { cleanEnv, startCli } from '../helpers/cli';
import { testStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const LONG = 90_000;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
});

describe('plainview sim --sparkplug', () => {
  it('drives the DEMO site over Sparkplug B: the station shows the same valves and points, a command completes', async () => {
    const broker = await startMosquitto();
    const dir = tempDir();
    const file = path.join(dir, 'sparkplug-mapping.json');
    const sim = startCli(
      [
        'sim',
        '--broker',
        broker.url,
        '--site',
        'north',
        '--valves',
        '12',
        '--gateways',
        '2',
        '--rate',
        '40',
        '--sparkplug',
        '--sparkplug-mapping-out',
        file,
      ],
      cleanEnv(path.join(dir, 'sim-data')),
      dir,
    );
    cleanups.push(async () => {
      sim.child.kill('SIGTERM');
      await sim.exited;
    });
    await sim.waitFor('simulator started', LONG);
    // The mapping it wrote is a valid site mapping, naming every valve.
    const mapping = SparkplugMapping.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    expect(mapping.devices.filter((d) => d.valve).map((d) => d.valve!.id)).toHaveLength(12);

    const t = testStation({
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_VALVE_COOLDOWN_SEC: '0',
      PLAINVIEW_SPARKPLUG_HOST_ID: 'pv-north-ws-1',
      PLAINVIEW_SPARKPLUG_PRIMARY_HOST: 'true',
      PLAINVIEW_SPARKPLUG_GROUPS: 'north',
      PLAINVIEW_SPARKPLUG_MAPPING_FILE: file,
    });
    await t.station.start();
    cleanups.push(() => t.station.stop());
    const state = () => t.station.running().field.state;
    // The edge nodes were born before the station came: it asks for rebirths and gets them.
    await waitFor(
      () =>
        state().valveList().length === 12 &&
        state()
          .valveList()
          .every((v) => v.quality === 'good'),
      '12 good valves',
      LONG,
    );
    await waitFor(
      () => ['seg-01-pressure', 'seg-01-flow', 'v-101-position'].every((p) => state().pointView(p)?.quality === 'good'),
      'points with values',
      LONG,
    );
    expect(state().pointView('seg-01-pressure')).toMatchObject({ unit: 'bar', segment: 'seg-01', kind: 'pressure' });
    expect(
      state()
        .siteView()
        ?.segments.map((s) => s.id),
    ).toEqual(['seg-01', 'seg-02']);

    const act = t.station.running().actuation;
    const v = state().valveView('v-101')!;
    const action = v.state === 'closed' ? 'open' : 'close';
    const sel = act.select({ valveId: 'v-101', action }, { requestId: 'req-sim' });
    if (!sel.ok) throw new Error(`select refused: ${sel.refusal.message}`);
    expect((await act.operate(sel.value.id, { requestId: 'req-sim' })).ok).toBe(true);
    await waitFor(() => act.commands.get(sel.value.id)?.state === 'completed', 'completed', LONG);
    expect(state().valveView('v-101')!.state).toBe(action === 'open' ? 'open' : 'closed');
    // A control valve takes a position.
    const control = state()
      .valveList()
      .find((x) => x.supportsPosition)!;
    const pos = act.select({ valveId: control.id, action: 'set_position', position: 35 }, { requestId: 'req-sim' });
    if (!pos.ok) throw new Error(`select refused: ${pos.refusal.message}`);
    expect((await act.operate(pos.value.id, { requestId: 'req-sim' })).ok).toBe(true);
    await waitFor(() => act.commands.get(pos.value.id)?.state === 'completed', 'position completed', LONG);
    expect(state().valveView(control.id)!.position).toBeCloseTo(35, 0);
  }, 180_000);
});
