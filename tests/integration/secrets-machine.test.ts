import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, memorySink } from '../../src/main/log';
import { FileMachineSecrets, MachineSecretProblem } from '../../src/main/secrets/machine-secrets';
import { KeytarSecretStore } from '../../src/main/secrets/secret-store';
import { StationSecrets } from '../../src/main/secrets/station-secrets';
import { startMosquitto } from '../helpers/brokers';
import { CLI, cleanEnv, startCli, type RunningCli } from '../helpers/cli';
import { useKeyringInThisFile } from '../helpers/keyring';
import { testStation, type TestStation } from '../helpers/station';
import { tempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const keyringOf = useKeyringInThisFile();

const PASSWORD = 'machine-pw-Hq7 ü';
const GROUP = spawnSync('id', ['-gn'], { encoding: 'utf8' }).stdout.trim();

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** Every CLI output of this file, to check that the value appears in none. */
const outputs: string[] = [];

function cli(args: string[], env: NodeJS.ProcessEnv, input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env, input, encoding: 'utf8', timeout: 30_000 });
  outputs.push(r.stdout, r.stderr);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A mosquitto that accepts only the account `ws-1` with PASSWORD. */
async function securedBroker() {
  const dir = tempDir();
  fs.chmodSync(dir, 0o755);
  const file = path.join(dir, 'passwd');
  const made = spawnSync('mosquitto_passwd', ['-b', '-c', file, 'ws-1', PASSWORD], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  fs.chmodSync(file, 0o644);
  return startMosquitto({ extraConfig: ['allow_anonymous false', `password_file ${file}`] });
}

/** Sets the machine secret as IT would (`--machine`), in a folder of its own. */
function provision(value: string): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = path.join(tempDir(), 'machine-secrets');
  const env = { ...cleanEnv(path.join(tempDir(), 'data')), ...keyringOf().env, PLAINVIEW_MACHINE_SECRETS_DIR: dir };
  const set = cli(['secrets', 'set', '--machine', 'mqtt-password', '--group', GROUP], env, `${value}\n`);
  expect(set.code, set.stderr).toBe(0);
  expect(set.stdout).toContain(`stored mqtt-password for this machine in ${path.join(dir, 'mqtt-password')}`);
  return { dir, env };
}

async function station(url: string, dir: string): Promise<TestStation> {
  // The station's own wiring finds the machine's folder: the same override the CLI used.
  process.env.PLAINVIEW_MACHINE_SECRETS_DIR = dir;
  cleanups.push(async () => delete process.env.PLAINVIEW_MACHINE_SECRETS_DIR);
  const t = testStation({ PLAINVIEW_MQTT_URL: url, PLAINVIEW_MQTT_USERNAME: 'ws-1' });
  await t.station.start();
  cleanups.push(() => t.station.stop());
  await waitFor(() => t.station.running().field.link.online, 'online with the password', 60_000);
  return t;
}

describe('plainview secrets set --machine (the broker password, once per machine)', () => {
  it('stores the value from stdin in a 0640 file of a 0750 folder for one group; lists it; a station whose account has none connects with it and logs where it came from', async () => {
    const { dir, env } = provision(PASSWORD);
    const file = path.join(dir, 'mqtt-password');
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o750);
    expect(fs.readFileSync(file, 'utf8')).toBe(PASSWORD);
    expect(cli(['secrets', 'list', '--machine'], env).stdout).toBe('mqtt-password\n');
    // Not in the account's keychain.
    expect(cli(['secrets', 'list'], env).stdout).toBe('');

    const broker = await securedBroker();
    const t = await station(broker.url, dir);
    const line = t.lines.find((l) => l.includes('secret read'));
    expect(line).toContain(`the machine secret ${file}`);
    expect(t.lines.join('\n')).not.toContain(PASSWORD);

    expect(cli(['secrets', 'delete', '--machine', 'mqtt-password'], env).code).toBe(0);
    expect(fs.existsSync(file)).toBe(false);
    expect(cli(['secrets', 'delete', '--machine', 'mqtt-password'], env).code).toBe(1);
    for (const o of outputs) expect(o).not.toContain(PASSWORD);
  }, 120_000);

  it("the account's own keychain comes first; a machine secret others can read is not used, and the log says how to fix it", async () => {
    const { dir } = provision('not-the-password');
    const keychain = new KeytarSecretStore();
    await keychain.set('mqtt-password', PASSWORD);
    cleanups.push(() => keychain.delete('mqtt-password'));
    const broker = await securedBroker();
    const t = await station(broker.url, dir);
    expect(t.lines.find((l) => l.includes('secret read'))).toContain('the OS keychain of this account');

    await keychain.delete('mqtt-password');
    const file = path.join(dir, 'mqtt-password');
    fs.chmodSync(file, 0o644);
    await expect(new FileMachineSecrets(dir).get('mqtt-password')).rejects.toBeInstanceOf(MachineSecretProblem);
    const sink = memorySink();
    const secrets = new StationSecrets(
      keychain,
      new FileMachineSecrets(dir),
      createLogger({ level: 'info', json: false, sinks: [sink] }),
    );
    expect(await secrets.get('mqtt-password')).toBeNull();
    expect(sink.lines.join('\n')).toMatch(/machine secret is not used.*chmod 640/);
  }, 120_000);

  it('`plainview station` where no keychain can be reached (a service without a session bus) connects with the machine secret', async () => {
    const { dir } = provision(PASSWORD);
    const broker = await securedBroker();
    const root = tempDir();
    const env = cleanEnv(path.join(root, 'data'), {
      PLAINVIEW_MQTT_URL: broker.url,
      PLAINVIEW_MQTT_USERNAME: 'ws-1',
      PLAINVIEW_STATION_ID: 'ws-1',
      PLAINVIEW_MACHINE_SECRETS_DIR: dir,
      // No session bus: libsecret would otherwise look in $XDG_RUNTIME_DIR/bus.
      XDG_RUNTIME_DIR: tempDir(),
    });
    delete env.DBUS_SESSION_BUS_ADDRESS;
    const run: RunningCli = startCli(['station'], env, root);
    cleanups.push(async () => {
      run.child.kill('SIGTERM');
      await run.exited;
    });
    await run.waitFor('field link online', 60_000);
    expect(run.output()).toContain(`the machine secret ${path.join(dir, 'mqtt-password')}`);
    expect(run.output()).not.toContain(PASSWORD);
  }, 120_000);
});
