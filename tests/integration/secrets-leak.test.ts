import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../src/main/secrets/secret-store';
import { startMosquitto } from '../helpers/brokers';
import { certificates, tlsBrokerConfig } from '../helpers/certs';
import { cleanEnv, runCli, startCli, type RunningCli } from '../helpers/cli';
import { freePort, request } from '../helpers/http';
import { useKeyringInThisFile } from '../helpers/keyring';
import { tempDir } from '../helpers/tmp';

useKeyringInThisFile();

const running: RunningCli[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.child.kill('SIGTERM');
    await r.exited;
  }
});

/** Every file below `dir`, recursively. */
function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile());
}

describe('secrets stay in the OS keychain', () => {
  it('a full run at trace level: planted secrets appear in no log, database, backup, config file or crash dump', async () => {
    const planted = {
      'mqtt-password': 'pw-PLANTED-9f3k2x',
      'mqtt-key-passphrase': 'kp-PLANTED-7d2m4v',
      'update-token': 'tok-PLANTED-4q8z1c',
    } as const;
    // A broker that wants both a client certificate (with an encrypted key) and a password.
    const c = certificates(planted['mqtt-key-passphrase']);
    const dir = tempDir();
    const passwd = path.join(dir, 'passwd');
    const made = spawnSync('mosquitto_passwd', ['-b', '-c', passwd, 'station', planted['mqtt-password']], {
      encoding: 'utf8',
    });
    expect(made.status, made.stderr).toBe(0);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(passwd, 0o644);
    const broker = await startMosquitto({
      extraConfig: [...tlsBrokerConfig(c), 'allow_anonymous false', `password_file ${passwd}`],
    });
    const store = new KeytarSecretStore();
    for (const [name, value] of Object.entries(planted)) await store.set(name as keyof typeof planted, value);

    const root = tempDir();
    const dataDir = path.join(root, 'data');
    const port = await freePort();
    const env = cleanEnv(dataDir, {
      PLAINVIEW_MQTT_URL: broker.url.replace('mqtt://', 'mqtts://'),
      PLAINVIEW_MQTT_USERNAME: 'station',
      PLAINVIEW_MQTT_CA_FILE: c.ca,
      PLAINVIEW_MQTT_CERT_FILE: c.clientCert,
      PLAINVIEW_MQTT_KEY_FILE: c.clientKey,
      PLAINVIEW_LOG_LEVEL: 'trace',
      PLAINVIEW_JSON_LOGGING: 'true',
      PLAINVIEW_API_ENABLED: 'true',
      PLAINVIEW_API_PORT: String(port),
    });
    fs.writeFileSync(path.join(root, '.env'), 'PLAINVIEW_SITE_ID=north\n');
    const station = startCli(['station'], env, root);
    running.push(station);
    await station.waitFor('field link online', 30_000);
    // Work through the station: a key, an incident over the API, a backup.
    expect(runCli(['keys', 'create', '--name', 'leak-check', '--scope', 'write'], env, root).code).toBe(0);
    const listed = runCli(['secrets', 'list'], env, root);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/mqtt-password/);
    expect(runCli(['db', 'backup'], env, root).code).toBe(0);
    expect((await request(port, 'GET', '/health')).status).toBe(200);
    station.child.kill('SIGTERM');
    expect((await station.exited).code).toBe(0);
    running.pop();

    const outputs: [string, Buffer][] = [
      ['station output', Buffer.from(station.output())],
      ['secrets list', Buffer.from(listed.stdout + listed.stderr)],
      ...[...files(dataDir), ...files(path.join(root, 'xdg')), path.join(root, '.env')].map(
        (f) => [f, fs.readFileSync(f)] as [string, Buffer],
      ),
    ];
    expect(outputs.some(([f]) => f.endsWith('main.log'))).toBe(true);
    expect(outputs.some(([f]) => f.includes('backups'))).toBe(true);
    for (const [where, bytes] of outputs)
      for (const [name, secret] of Object.entries(planted)) {
        expect(bytes.includes(secret), `${name} in ${where}`).toBe(false);
        expect(bytes.includes(Buffer.from(secret, 'utf16le')), `${name} (UTF-16) in ${where}`).toBe(false);
      }
    for (const name of Object.keys(planted)) await store.delete(name as keyof typeof planted);
  }, 90_000);
});
