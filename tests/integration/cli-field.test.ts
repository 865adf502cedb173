import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMosquitto } from '../helpers/brokers';
import { cleanEnv, startCli, type RunningCli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const running: RunningCli[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
});

function start(args: string[], env: NodeJS.ProcessEnv, cwd: string): RunningCli {
  const p = startCli(args, env, cwd);
  running.push(p);
  return p;
}

/** The JSON log lines a process printed so far that carry `message`. */
function lines(p: RunningCli, message: string): Record<string, unknown>[] {
  return p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.message === message);
}

const lastStatus = (p: RunningCli) =>
  lines(p, 'field status').at(-1) as { link: string; valves: Record<string, number>; rejected: number } | undefined;

describe('plainview station and plainview sim on a real mosquitto', () => {
  it('the station goes online, its valves are fresh, and garbage from mosquitto_pub is counted and changes nothing', async () => {
    const broker = await startMosquitto();
    const root = tempDir();
    const env = cleanEnv(path.join(root, 'data'), {
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_SITE_ID: 'north',
      PLAINVIEW_JSON_LOGGING: 'true',
      PLAINVIEW_STATUS_INTERVAL_SEC: '1',
    });
    const sim = start(['sim', '--broker', broker.url, '--site', 'north', '--valves', '8', '--rate', '40'], env, root);
    const station = start(['station'], env, root);
    await station.waitFor('field link online');
    await waitFor(() => lastStatus(station)?.valves.good === 8, 'eight fresh valves in the status line');

    const pub = spawnSync(
      'mosquitto_pub',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(broker.port),
        '-t',
        'plainview/v2/north/gateways/gw-1/valves/v-101/state',
        '-m',
        'this is not json',
      ],
      { encoding: 'utf8' },
    );
    expect(pub.status).toBe(0);
    await waitFor(() => lastStatus(station)?.rejected === 1, 'the rejection counted');
    expect(lines(station, 'field message rejected')[0]).toMatchObject({
      reason: 'not_json',
      topic: 'gateways/+/valves/+/state',
    });
    expect(lastStatus(station)!.valves.good).toBe(8);

    station.child.kill('SIGTERM');
    sim.child.kill('SIGTERM');
    expect((await station.exited).code).toBe(0);
    expect((await sim.exited).code).toBe(0);
  }, 60_000);

  it('with no broker configured the station runs the DEMO site by itself, and says so', async () => {
    const root = tempDir();
    const env = cleanEnv(path.join(root, 'data'), {
      PLAINVIEW_JSON_LOGGING: 'true',
      PLAINVIEW_STATUS_INTERVAL_SEC: '1',
    });
    const station = start(['station'], env, root);
    await station.waitFor('field link online');
    expect(station.output()).toContain('DEMO / TRAINING SITE');
    await waitFor(() => lastStatus(station)?.valves.good === 24, 'the 24 DEMO valves fresh');
    station.child.kill('SIGTERM');
    expect((await station.exited).code).toBe(0);
  }, 60_000);
});
