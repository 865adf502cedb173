import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../src/main/secrets/secret-store';
import { startMosquitto } from '../helpers/brokers';
import { certificates, tlsBrokerConfig } from '../helpers/certs';
import { cleanEnv, startCli } from '../helpers/cli';
import { useKeyringInThisFile } from '../helpers/keyring';
import { testStation, type TestStation } from '../helpers/station';
import { alarmSweeps } from '../helpers/sweeps';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

useKeyringInThisFile();

const stations: TestStation[] = [];
afterEach(async () => {
  for (const s of stations.splice(0)) await s.station.stop();
});

/** A mosquitto that accepts only user `station` with password `s3cret-pw`. */
async function securedBroker() {
  const dir = tempDir();
  const file = path.join(dir, 'passwd');
  const made = spawnSync('mosquitto_passwd', ['-b', '-c', file, 'station', 's3cret-pw'], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(file, 0o644);
  return startMosquitto({ extraConfig: ['allow_anonymous false', `password_file ${file}`] });
}

describe('broker credentials from the OS keychain', () => {
  it('the station reads the MQTT password from the keychain and goes online; nothing is stored elsewhere', async () => {
    const broker = await securedBroker();
    const store = new KeytarSecretStore();
    await store.set('mqtt-password', 's3cret-pw');
    const t = testStation({
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_MQTT_USERNAME: 'station',
      PLAINVIEW_JSON_LOGGING: 'true',
    });
    stations.push(t);
    await t.station.start();
    await waitFor(() => t.station.running().field.link.online, 'online with the keychain password');

    // The password is in no log line and no file of the data folder.
    expect(t.lines.join('\n')).not.toContain('s3cret-pw');
    const dataDir = t.config.dataDir;
    await t.station.stop();
    stations.pop();
    for (const f of fs.readdirSync(dataDir, { recursive: true }) as string[]) {
      const full = path.join(dataDir, f);
      if (fs.statSync(full).isFile()) expect(fs.readFileSync(full).includes('s3cret-pw'), f).toBe(false);
    }
    await store.delete('mqtt-password');
  }, 90_000);

  it('a wrong password in the keychain shows as auth_failed; no tight loop', async () => {
    const broker = await securedBroker();
    const store = new KeytarSecretStore();
    await store.set('mqtt-password', 'wrong');
    const t = testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_USERNAME: 'station' });
    stations.push(t);
    await t.station.start();
    const field = t.station.running().field;
    await waitFor(() => field.link.state.status === 'auth_failed', 'auth_failed');
    // At least two seconds of the station's own timers: a retry on any short schedule would have run.
    await alarmSweeps(t.station).more(3, 'no retry meanwhile');
    expect(field.link.attempts).toBe(1);
    await store.delete('mqtt-password');
  }, 90_000);

  it('no password in the keychain: offline with a reason that says what to do, retried slowly', async () => {
    const broker = await securedBroker();
    const t = testStation({ PLAINVIEW_MQTT_URL: broker.url, PLAINVIEW_MQTT_USERNAME: 'station' });
    stations.push(t);
    await t.station.start();
    const field = t.station.running().field;
    const state = await waitFor(() => (field.link.state.status === 'offline' ? field.link.state : null), 'offline');
    expect(state.reason).toMatch(/no MQTT password in the OS keychain: run `plainview secrets set mqtt-password`/);
    expect(Date.parse(state.nextAttemptAt) - Date.now()).toBeGreaterThan(25_000);
  }, 90_000);

  it('keychain unavailable (no session bus): the headless station says so and never connects without the password', async () => {
    const broker = await securedBroker();
    const root = tempDir();
    const env = cleanEnv(path.join(root, 'data'), {
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_MQTT_USERNAME: 'station',
    });
    delete env.DBUS_SESSION_BUS_ADDRESS;
    delete env.DISPLAY;
    const station = startCli(['station'], env, root);
    try {
      await station.waitFor('OS keychain is not available');
      expect(station.output()).toMatch(/field link offline .*cannot prepare the connection/);
      // Not even a refused attempt: without the password there is nothing to try.
      // (The helper's readiness probe opens a bare TCP connection; no MQTT client ever did.)
      expect(broker.logs()).not.toMatch(/New client connected|not authori[sz]ed/);
    } finally {
      station.child.kill('SIGTERM');
      expect((await station.exited).code).toBe(0);
    }
  }, 90_000);

  it('an encrypted client key is opened with the passphrase from the keychain', async () => {
    const c = certificates('key-pass-42');
    const broker = await startMosquitto({ extraConfig: tlsBrokerConfig(c) });
    const store = new KeytarSecretStore();
    await store.set('mqtt-key-passphrase', 'key-pass-42');
    const t = testStation({
      PLAINVIEW_MQTT_URL: broker.url.replace('mqtt://', 'mqtts://'),
      PLAINVIEW_MQTT_CA_FILE: c.ca,
      PLAINVIEW_MQTT_CERT_FILE: c.clientCert,
      PLAINVIEW_MQTT_KEY_FILE: c.clientKey,
    });
    stations.push(t);
    await t.station.start();
    await waitFor(() => t.station.running().field.link.online, 'online with the encrypted key');
    await store.delete('mqtt-key-passphrase');
  }, 90_000);
});
