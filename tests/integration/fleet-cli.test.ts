import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetEntry } from '../../src/shared/fleet';
import { appVersion } from '../../src/main/version';
import { freePort } from '../helpers/brokers';
import { CLI, cleanEnv } from '../helpers/cli';
import { read, type TestStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { twoStations } from '../helpers/two-stations';
import { waitFor } from '../helpers/wait';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The built `plainview` command, without blocking this process (the stations run in it). */
function plainview(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const root = tempDir();
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(path.join(root, 'data'), env), cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

interface Report {
  site: string;
  newestVersion: string | null;
  entries: FleetEntry[];
}

const fleetOf = (t: TestStation) => read(t, 'fleet.list') as FleetEntry[];
const entry = (entries: FleetEntry[], kind: string, id: string) => entries.find((e) => e.kind === kind && e.id === id);

describe('plainview fleet', () => {
  it('lists two stations with their version and schema, a gateway of the simulator, and a stopped station offline', async () => {
    const { broker, a, b } = await twoStations(cleanups, { field: true });
    const schema = a.station.running().store.schemaVersion;
    const env = { PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_SITE_ID: 'north', PLAINVIEW_STATION_ID: 'ws-it' };

    // The station's own fleet room hears the same: both stations with their births, and the gateway.
    await waitFor(() => {
      const f = fleetOf(a);
      // A birth sent before the station ran has no health; the one that follows reports it.
      const healthy = (id: string) => entry(f, 'station', id)?.health?.checks.database === 'ok';
      // A's first backup (at start, on a thread) reported in a birth that followed it.
      const backup = a.station.running().store.lastBackupAt?.toISOString();
      const reported = backup !== undefined && entry(f, 'station', 'ws-a')?.lastBackupAt === backup;
      return healthy('ws-a') && healthy('ws-b') && reported && entry(f, 'gateway', 'gw-1')?.status === 'online';
    }, "station A's fleet room knows A and B with their health and A's backup, and gw-1");

    const run = await plainview(['fleet', '--json'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.site).toBe('north');
    expect(report.newestVersion).toBe(appVersion);
    for (const id of ['ws-a', 'ws-b'])
      expect(entry(report.entries, 'station', id)).toMatchObject({
        status: 'online',
        version: appVersion,
        schemaVersion: schema,
        channel: 'stable',
        demo: false,
        health: { checks: { database: 'ok' } },
        behind: false,
      });
    expect(entry(report.entries, 'station', 'ws-a')!.lastBackupAt).toBe(
      a.station.running().store.lastBackupAt?.toISOString() ?? null,
    );
    expect(entry(report.entries, 'gateway', 'gw-1')).toMatchObject({ status: 'online', version: null, behind: false });
    // Read-only: it published no presence of its own.
    expect(report.entries.map((e) => e.id)).not.toContain('ws-it');

    const table = await plainview(['fleet'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+KIND\s+STATUS\s+VERSION\s+SCHEMA/);
    expect(table.stdout).toMatch(
      new RegExp(`ws-b\\s+station\\s+online\\s+${appVersion.replace(/\./g, '\\.')}\\s+${schema}`),
    );

    // B stops cleanly: its goodbye keeps its version, and everyone sees it offline.
    await b.station.stop();
    await waitFor(() => entry(fleetOf(a), 'station', 'ws-b')?.status === 'offline', "A's fleet room sees B offline");
    const after = JSON.parse((await plainview(['fleet', '--json'], env)).stdout) as Report;
    expect(entry(after.entries, 'station', 'ws-b')).toMatchObject({
      status: 'offline',
      version: appVersion,
      health: null,
    });
    expect(entry(after.entries, 'station', 'ws-a')).toMatchObject({ status: 'online' });
    // A's own record of itself was not disturbed by the command.
    expect(entry(fleetOf(a), 'station', 'ws-a')?.status).toBe('online');
  }, 90_000);

  it('exits 1 when the broker cannot be reached and 2 without a broker configured', async () => {
    const port = await freePort();
    const unreachable = await plainview(['fleet', '--json'], {
      PLAINVIEW_MQTT_URL: `mqtt://127.0.0.1:${port}`,
      PLAINVIEW_SITE_ID: 'north',
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot reach the broker/);
    const demo = await plainview(['fleet'], { PLAINVIEW_SITE_ID: 'north' });
    expect(demo.code).toBe(2);
    expect(demo.stderr).toMatch(/no broker is configured/);
  }, 90_000);
});
