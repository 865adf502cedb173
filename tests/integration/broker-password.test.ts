import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SystemStatus } from '../../src/shared/system';
import { startMosquitto } from '../helpers/brokers';
import { cleanEnv, runCli } from '../helpers/cli';
import { read, testStation, type TestStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const PASSWORD = 'pl41n-t3xt-Secret';

const stations: TestStation[] = [];
afterEach(async () => {
  for (const s of stations.splice(0)) await s.station.stop();
});

/** A mosquitto that accepts only user `station` with PASSWORD, over plain mqtt://. */
async function securedBroker() {
  const dir = tempDir();
  const file = path.join(dir, 'passwd');
  const made = spawnSync('mosquitto_passwd', ['-b', '-c', file, 'station', PASSWORD], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(file, 0o644);
  return startMosquitto({ extraConfig: ['allow_anonymous false', `password_file ${file}`] });
}

const warnings = (t: TestStation) => (read(t, 'system.status') as SystemStatus).linkFacts.warnings;

describe('the broker password and the network it crosses', () => {
  it('`plainview station` with a password in PLAINVIEW_MQTT_URL: one line naming the fix, exit 2, the password nowhere', () => {
    const root = tempDir();
    const env = cleanEnv(path.join(root, 'data'), { PLAINVIEW_MQTT_URL: `mqtt://station:${PASSWORD}@127.0.0.1:1883` });
    const r = runCli(['station'], env, root);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/PLAINVIEW_MQTT_URL \(from the environment\) contains a password/);
    expect(lines[0]).toContain('plainview secrets set mqtt-password');
    expect(lines[0]).toContain('PLAINVIEW_ALLOW_URL_PASSWORD=true');
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(fs.existsSync(path.join(root, 'data', 'plainview.db'))).toBe(false);
  });

  it('the keychain password over plain mqtt://: a SECURITY warning in the log, health and the System view; never the password', async () => {
    const broker = await securedBroker();
    const t = testStation(
      { PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_USERNAME: 'station', PLAINVIEW_LOG_LEVEL: 'trace' },
      undefined,
      { secrets: { get: async (name) => (name === 'mqtt-password' ? PASSWORD : null) } },
    );
    stations.push(t);
    await t.station.start();
    await waitFor(() => t.station.running().field.link.online, 'online', 90_000);
    const line = t.lines.find((l) => l.includes('SECURITY'));
    expect(line).toMatch(/WARN .*SECURITY: the broker password is sent unencrypted over mqtt:\/\/.*Use mqtts:\/\//);
    expect(warnings(t)).toEqual([expect.stringContaining('sent unencrypted over mqtt://')]);
    expect(t.station.health.get().details.mqtt.details).toMatchObject({
      warnings: [expect.stringContaining('mqtts://')],
    });
    expect(t.lines.join('\n')).not.toContain(PASSWORD);
  }, 90_000);

  it('a password in the URL, allowed by policy: it connects with it, warns about plain mqtt://, logs the URL without it', async () => {
    const broker = await securedBroker();
    const url = broker.url.replace('mqtt://', `mqtt://station:${PASSWORD}@`);
    const t = testStation({
      PLAINVIEW_MQTT_URL: url,
      PLAINVIEW_ALLOW_URL_PASSWORD: 'true',
      PLAINVIEW_LOG_LEVEL: 'trace',
    });
    stations.push(t);
    await t.station.start();
    await waitFor(() => t.station.running().field.link.online, 'online', 90_000);
    expect(warnings(t)).toHaveLength(1);
    const log = t.lines.join('\n');
    expect(log).toMatch(/broker=mqtt:\/\/station:(\*\*\*|\[REDACTED\])@127\.0\.0\.1/);
    expect(log).not.toContain(PASSWORD);
  }, 90_000);

  it('to another machine over plain mqtt:// or ws://, the password is never sent: the station does not start', () => {
    const root = tempDir();
    for (const url of ['mqtt://10.20.30.40:1883', 'ws://broker.north.example/mqtt']) {
      const env = cleanEnv(path.join(root, 'data'), { PLAINVIEW_MQTT_URL: url, PLAINVIEW_MQTT_USERNAME: 'station' });
      const r = runCli(['station'], env, root);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/the broker password would cross the network unencrypted/);
      expect(r.stderr).toContain('"allowPlaintextPassword": true in the policy file');
      // The environment cannot allow it: only IT's policy can.
      const allowed = runCli(['station'], { ...env, PLAINVIEW_ALLOW_PLAINTEXT_PASSWORD: 'true' }, root);
      expect(allowed.code).toBe(2);
    }
    // Without a password (no user name), plain mqtt:// carries no secret.
    const open = runCli(
      ['config', 'show'],
      cleanEnv(path.join(root, 'data'), { PLAINVIEW_MQTT_URL: 'mqtt://10.20.30.40:1883' }),
      root,
    );
    expect(open.code).toBe(0);
  });

  it('allowPlaintextPassword in the policy: it sends it, without a warning', async () => {
    const broker = await securedBroker();
    const dir = tempDir();
    // testStation reads its policy from <dir>/no-policy.json.
    fs.writeFileSync(path.join(dir, 'no-policy.json'), JSON.stringify({ allowPlaintextPassword: true }));
    const t = testStation(
      { PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_USERNAME: 'station' },
      path.join(dir, 'data'),
      { secrets: { get: async (name) => (name === 'mqtt-password' ? PASSWORD : null) } },
    );
    stations.push(t);
    await t.station.start();
    await waitFor(() => t.station.running().field.link.online, 'online', 90_000);
    expect(warnings(t)).toEqual([]);
    expect(t.lines.some((l) => l.includes('SECURITY'))).toBe(false);
  }, 90_000);
});
