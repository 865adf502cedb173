import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Keytar from 'keytar';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  KEYCHAIN_SERVICE,
  KeytarSecretStore,
  SECRET_NAMES,
  SecretRefused,
  type SecretName,
} from '../../src/main/secrets/secret-store';
import { CLI } from '../helpers/cli';
import { useKeyringInThisFile } from '../helpers/keyring';
import { tempDir } from '../helpers/tmp';

const localRequire = createRequire(import.meta.url);
const keytarLoaded = () => Object.keys(localRequire.cache).some((p) => p.includes(`${path.sep}keytar${path.sep}`));
// Evaluated after every import above, including the secret store's module.
const keytarLoadedAtImport = keytarLoaded();
const keytar = () => localRequire('keytar') as typeof Keytar;

const keyringOf = useKeyringInThisFile();

/** The developer's environment without Plainview settings, a display or a session bus. */
function bareEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PLAINVIEW_') && k !== 'DISPLAY' && k !== 'DBUS_SESSION_BUS_ADDRESS') env[k] = v;
  }
  return env;
}

const withKeyring = (extra: Record<string, string> = {}) => ({ ...bareEnv(), ...keyringOf().env, ...extra });
// Without an address, libsecret would also try $XDG_RUNTIME_DIR/bus: point that at an empty folder.
const withoutSession = () => ({ ...bareEnv(), XDG_RUNTIME_DIR: tempDir() });

/** Every output of the CLI in this file, to check that no value ever appears in any of them. */
const outputs: string[] = [];

function secrets(args: string[], env: NodeJS.ProcessEnv, input?: string, cwd = tempDir()) {
  const r = spawnSync(process.execPath, [CLI, 'secrets', ...args], {
    env,
    cwd,
    input,
    encoding: 'utf8',
    timeout: 20_000,
  });
  outputs.push(r.stdout, r.stderr);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What the CLI's keychain entry (the real service name, in the private keyring) holds. */
async function stored(): Promise<Record<string, string>> {
  const found = await keytar().findCredentials(KEYCHAIN_SERVICE);
  return Object.fromEntries(found.map((c) => [c.account, c.password]));
}

const newValue = () => `pv secret ${randomUUID()} ü`;

describe('plainview secrets (CLI, real Secret Service in a private keyring)', () => {
  const values: string[] = [];
  const value = () => {
    const v = newValue();
    values.push(v);
    return v;
  };

  afterEach(async () => {
    for (const c of await keytar().findCredentials(KEYCHAIN_SERVICE)) {
      await keytar().deletePassword(KEYCHAIN_SERVICE, c.account);
    }
  });

  afterAll(() => {
    // Checked last, over every command run in this file: no value in any stdout or stderr.
    for (const v of values) for (const o of outputs) expect(o).not.toContain(v);
  });

  it('set from a pipe, list names only, read back in-process, delete, delete again fails', async () => {
    const v = value();
    const set = secrets(['set', 'mqtt-password'], withKeyring(), `${v}\n`);
    expect(set).toMatchObject({ code: 0, stdout: 'stored mqtt-password in the OS keychain\n' });
    expect(set.stdout + set.stderr).not.toContain(v);

    // The one trailing newline was removed, nothing else.
    expect(await new KeytarSecretStore().get('mqtt-password')).toBe(v);

    const list = secrets(['list'], withKeyring());
    expect(list).toMatchObject({ code: 0, stdout: 'mqtt-password\n' });
    expect(list.stdout + list.stderr).not.toContain(v);

    const del = secrets(['delete', 'mqtt-password'], withKeyring());
    expect(del).toMatchObject({ code: 0, stdout: 'deleted mqtt-password from the OS keychain\n' });
    expect(await stored()).toEqual({});

    const empty = secrets(['list'], withKeyring());
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('');

    const again = secrets(['delete', 'mqtt-password'], withKeyring());
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('plainview: mqtt-password is not in the OS keychain; nothing was deleted\n');
  });

  it('strips exactly one trailing newline and keeps everything else; set replaces the old value', async () => {
    expect(secrets(['set', 'update-token'], withKeyring(), 'a\n\n').code).toBe(0);
    expect(await stored()).toEqual({ 'update-token': 'a\n' });
    expect(secrets(['set', 'update-token'], withKeyring(), '  spaced  ').code).toBe(0);
    expect(await stored()).toEqual({ 'update-token': '  spaced  ' });
    expect(secrets(['set', 'mqtt-key-passphrase'], withKeyring(), 'p\r\n').code).toBe(0);
    const list = secrets(['list'], withKeyring());
    // In the fixed order of the known names, one per line.
    expect(list.stdout).toBe('mqtt-key-passphrase\nupdate-token\n');
  });

  it('refuses an unknown name, naming the known ones, and stores nothing', async () => {
    const r = secrets(['set', 'mqtt-pass'], withKeyring(), value());
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`plainview: unknown secret "mqtt-pass"; the known secrets are: ${SECRET_NAMES.join(', ')}\n`);
    expect(await stored()).toEqual({});
    expect(secrets(['delete', 'mqtt-pass'], withKeyring()).stderr).toContain('the known secrets are');
  });

  it('refuses an empty value and keeps the previous one', async () => {
    const old = value();
    expect(secrets(['set', 'mqtt-password'], withKeyring(), old).code).toBe(0);
    for (const input of ['', '\n', undefined]) {
      const r = secrets(['set', 'mqtt-password'], withKeyring(), input);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('plainview: the value for mqtt-password is empty; nothing was stored\n');
    }
    expect(await stored()).toEqual({ 'mqtt-password': old });
  });

  it('refuses a value given on the command line and stores nothing', async () => {
    const v = value();
    const r = secrets(['set', 'mqtt-password', v], withKeyring());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('too many arguments');
    expect(await stored()).toEqual({});
  });

  it('at a terminal, prompts on stderr and reads the value without echoing it', async () => {
    const v = value();
    // `script` gives the CLI a pseudo-terminal; everything the terminal shows comes back on stdout.
    const cmd = `'${process.execPath}' '${CLI}' secrets set mqtt-password`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: withKeyring(), cwd: tempDir() });
    let screen = '';
    let typed = false;
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString();
      if (!typed && screen.includes('(input hidden, Enter to finish): ')) {
        typed = true;
        // Typed after the prompt, as a person would, with a typo corrected by two backspaces.
        child.stdin.write(`${v}xx\u007f\u007f\r`);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    outputs.push(screen);
    expect(screen).toContain('value for mqtt-password (input hidden, Enter to finish): ');
    expect(screen).toContain('stored mqtt-password in the OS keychain');
    expect(screen).not.toContain(v);
    expect(code).toBe(0);
    expect(await stored()).toEqual({ 'mqtt-password': v });
  });

  it('without a D-Bus session: exit 4 with what to do, and nothing is stored', async () => {
    const list = secrets(['list'], withoutSession());
    expect(list.code).toBe(4);
    expect(list.stdout).toBe('');
    const lines = list.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^plainview: the OS keychain is not available \(/);
    expect(lines[0]).toContain('a Secret Service such as gnome-keyring must be running and unlocked');
    expect(lines[0]).toContain('Plainview never falls back to storing secrets in plain text');

    // No plain-text fallback: nothing in the keyring, and no file in the home, settings or
    // working folder the command was given.
    const home = tempDir();
    const homeEnv = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data') };
    const set = secrets(['set', 'mqtt-password'], { ...withoutSession(), ...homeEnv }, value(), home);
    expect(set.code).toBe(4);
    expect(set.stderr).toContain('the OS keychain is not available');
    expect(fs.readdirSync(home, { recursive: true })).toEqual([]);
    expect(await stored()).toEqual({});
    expect(secrets(['delete', 'mqtt-password'], withoutSession()).code).toBe(4);
  });

  it('needs neither the configuration nor the data folder', () => {
    const dataDir = path.join(tempDir(), 'data');
    const badConfig = { PLAINVIEW_LOG_LEVEL: 'loud', PLAINVIEW_DATA_DIR: dataDir };
    // Control: the same environment stops a command that does load the configuration.
    const db = spawnSync(process.execPath, [CLI, 'db', 'status'], { env: withKeyring(badConfig), encoding: 'utf8' });
    expect(db.status).toBe(2);

    expect(secrets(['list'], withKeyring(badConfig)).code).toBe(0);
    expect(secrets(['set', 'update-token'], withKeyring(badConfig), 'tok').code).toBe(0);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('--help on each command names the secrets and exit code 4, without touching the keychain', () => {
    for (const args of [['--help'], ['set', '--help'], ['delete', '--help'], ['list', '--help']]) {
      const r = secrets(args, withoutSession());
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: plainview secrets ${args.length > 1 ? args[0] : ''}`);
      expect(r.stdout).toContain(SECRET_NAMES.join(', '));
      expect(r.stdout).toMatch(/^4 the OS keychain is not available/m);
    }
  });
});

describe('KeytarSecretStore (in-process, isolated service name)', () => {
  const service = `PlainviewTest-${randomUUID()}`;
  const store = new KeytarSecretStore(service);

  afterAll(async () => {
    for (const c of await keytar().findCredentials(service)) await keytar().deletePassword(service, c.account);
  });

  it('importing the module does not load the native keytar addon; first use does', async () => {
    expect(keytarLoadedAtImport).toBe(false);
    await store.list();
    expect(keytarLoaded()).toBe(true);
  });

  it('get, set, list (names only, known names only), delete', async () => {
    const v = newValue();
    expect(await store.get('mqtt-key-passphrase')).toBeNull();
    await store.set('mqtt-key-passphrase', v);
    await keytar().setPassword(service, 'not-a-plainview-secret', 'x');
    expect(await store.get('mqtt-key-passphrase')).toBe(v);
    expect(await store.list()).toEqual(['mqtt-key-passphrase']);
    // Isolated: nothing leaked into the real service name.
    expect(await keytar().getPassword(KEYCHAIN_SERVICE, 'mqtt-key-passphrase')).toBeNull();
    expect(await store.delete('mqtt-key-passphrase')).toBe(true);
    expect(await store.delete('mqtt-key-passphrase')).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it('refuses unknown names and empty values', async () => {
    const bad = 'db-password' as SecretName;
    await expect(store.set(bad, 'x')).rejects.toThrow(SecretRefused);
    await expect(store.get(bad)).rejects.toThrow(/the known secrets are: mqtt-password, mqtt-key-passphrase/);
    await expect(store.delete(bad)).rejects.toThrow(SecretRefused);
    await expect(store.set('update-token', '')).rejects.toThrow(/empty/);
    const accounts = (await keytar().findCredentials(service)).map((c) => c.account);
    expect(accounts).not.toContain('db-password');
    expect(accounts).not.toContain('update-token');
  });
});
