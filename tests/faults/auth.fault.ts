import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startBlackholeProxy } from '../helpers/blackhole-proxy';
import { startMosquitto } from '../helpers/brokers';
import { alarmSweeps } from '../helpers/sweeps';
import { waitFor } from '../helpers/wait';
import { FULL } from './lib/mode';
import { linkStation } from './lib/link-station';
import { report } from './lib/report';
import { Cleanups } from './lib/util';

/** Fast mode watches for 8 s (no retry is due yet); full mode for 150 s, then fixes the password. */
const WATCH_MS = FULL ? 150_000 : 8_000;
const cleanups = new Cleanups();
afterAll(() => cleanups.run());

it('broker refuses the credentials: auth_failed with the reason, an alarm, slow retries (counted), no tight loop', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-fault-auth-'));
  cleanups.add(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'passwd');
  const made = spawnSync('mosquitto_passwd', ['-b', '-c', file, 'station', 'right-password'], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(file, 0o644);
  const broker = await startMosquitto({ extraConfig: ['allow_anonymous false', `password_file ${file}`] });
  // Counts every TCP connection the station opens: one per attempt.
  const counter = await startBlackholeProxy(broker.port);
  cleanups.add(() => counter.close());
  let password = 'wrong-password';
  const { t, states } = await linkStation(
    cleanups,
    { PLAINVIEW_MQTT_URL: `mqtt://127.0.0.1:${counter.port}`, PLAINVIEW_MQTT_USERNAME: 'station' },
    { secrets: { get: async () => password } },
  );
  const field = t.station.running().field;
  const problems: string[] = [];

  await waitFor(() => ['auth_failed', 'offline'].includes(field.link.state.status), 'the first refusal', 30_000);
  const shown = field.link.state.status;
  if (shown !== 'auth_failed') problems.push(`link ${shown}, not auth_failed`);
  const started = Date.now();
  // The watch lasts WATCH_MS of the station's own timers (one alarm sweep a second).
  await alarmSweeps(t.station).more(WATCH_MS / 1000 + 1, 'the watch', WATCH_MS + 60_000);
  const watchedS = (Date.now() - started) / 1000;
  const connections = counter.connections;
  const attempts = field.link.attempts;
  // Clear state: the link, health and the System view say what is wrong.
  const status = await t.station.handlers['system.status'](undefined, {
    requestId: 'f',
    senderUrl: 'app://plainview/',
  });
  const link = status.ok ? status.value.link.status : status.refusal.code;
  if (link !== 'auth_failed') problems.push(`system.status link ${link}`);
  if (!/refused the credentials/.test(t.station.health.get().details.mqtt.reason ?? ''))
    problems.push(`health reason: ${t.station.health.get().details.mqtt.reason}`);
  // Slow retries: every delay between 30 and 60 s.
  const delays = states
    .map(({ s, at }) =>
      s.status === 'auth_failed' || s.status === 'offline' ? Date.parse(s.nextAttemptAt) - at : null,
    )
    .filter((d): d is number => d !== null);
  const slow = delays.every((d) => d >= 29_990 && d <= 60_010);
  if (!slow) problems.push(`retry delays ${delays.join(', ')} ms`);
  // No tight loop: at most one attempt per 30 s (and one at the start).
  const allowed = 1 + Math.floor(watchedS / 30);
  if (connections > allowed) problems.push(`${connections} connections in ${watchedS} s (at most ${allowed})`);
  if (FULL && attempts < 3) problems.push(`only ${attempts} attempts in ${watchedS} s: not retrying`);
  // An alarm the operators see.
  const alarm = t.station
    .running()
    .alarms.list()
    .find((a) => a.id === 'link-down-ws-1');
  if (alarm?.state !== 'active_unacked' || !/not authori[sz]ed|refused|bad user name/i.test(alarm.message))
    problems.push(`alarm: ${JSON.stringify(alarm)}`);

  let recovered = '';
  if (FULL) {
    // Someone fixes the password in the keychain: the next slow attempt takes it.
    password = 'right-password';
    await waitFor(() => field.link.online, 'online with the right password', 70_000);
    const back = t.station
      .running()
      .alarms.list()
      .find((a) => a.id === 'link-down-ws-1');
    if (back?.state === 'active_unacked' || back?.state === 'active_acked') problems.push('the alarm did not clear');
    recovered = ', online at the next slow attempt once the password was fixed, alarm cleared';
  }

  report(
    4,
    'auth',
    `broker refuses credentials: ${shown}, alarm "${alarm?.message.slice(0, 70) ?? 'none'}…", ` +
      `${connections} connection attempt${connections === 1 ? '' : 's'} in ${Math.round(watchedS)} s (at most ${allowed}), retry delays ` +
      `${delays.map((d) => `${(d / 1000).toFixed(0)} s`).join(', ')}${recovered}`,
    problems.length === 0,
  );
  expect(problems).toEqual([]);
}, 600_000);
