import { afterAll, beforeAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A throwaway D-Bus session with an unlocked gnome-keyring, for tests against a real Secret Service. */
export interface PrivateKeyring {
  /** Add to a process's environment to point it (libsecret, keytar, the CLI) at this keyring. */
  env: { DBUS_SESSION_BUS_ADDRESS: string };
  /** Kills both daemons and removes their files. Safe to call twice. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

// A test run that dies before stop() must still not leave daemons behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function start(cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    // No pid: it never started (spawn failed), so there is nothing to wait for.
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

async function kill(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited(child);
  clearTimeout(timer);
}

/** Resolves with the first line `child` prints on stdout; rejects if it fails to start or exits first. */
function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
    });
    child.once('error', (e) => reject(new Error(`cannot start ${what} (is it installed?): ${e.message}`)));
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code} before it was ready: ${err}`)));
  });
}

function secretServiceOnBus(env: NodeJS.ProcessEnv): boolean {
  const r = spawnSync(
    'dbus-send',
    [
      '--session',
      '--print-reply',
      '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner',
      'string:org.freedesktop.secrets',
    ],
    { env, encoding: 'utf8', timeout: 5000 },
  );
  if (r.error) throw new Error(`cannot run dbus-send (is dbus installed?): ${r.error.message}`);
  return r.status === 0 && r.stdout.includes('boolean true');
}

/**
 * Starts `dbus-daemon --session` listening in a fresh temporary folder, then
 * `gnome-keyring-daemon --unlock` on that bus with a throwaway password on stdin, and waits
 * until the Secret Service name is owned. HOME and the XDG folders point into the same
 * temporary folder, so the developer's own keyrings are never opened or changed, and a
 * keyring daemon D-Bus might auto-start would use them too.
 */
export async function startKeyring(): Promise<PrivateKeyring> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-keyring-'));
  const runtime = path.join(root, 'run');
  fs.mkdirSync(runtime, { mode: 0o700 });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: root, XDG_RUNTIME_DIR: runtime };
  for (const dir of ['data', 'config', 'cache']) fs.mkdirSync(path.join(root, dir));
  Object.assign(env, {
    XDG_DATA_HOME: path.join(root, 'data'),
    XDG_CONFIG_HOME: path.join(root, 'config'),
    XDG_CACHE_HOME: path.join(root, 'cache'),
  });
  delete env.DBUS_SESSION_BUS_ADDRESS;
  delete env.DISPLAY;

  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children.splice(0).reverse()) await kill(child);
    fs.rmSync(root, { recursive: true, force: true });
  };

  try {
    const bus = start(
      'dbus-daemon',
      ['--session', '--nofork', `--address=unix:path=${path.join(root, 'bus')}`, '--print-address=1'],
      env,
    );
    children.push(bus);
    env.DBUS_SESSION_BUS_ADDRESS = await firstLine(bus, 'dbus-daemon');

    const keyring = start('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], env);
    children.push(keyring);
    let keyringErr = '';
    keyring.stderr!.on('data', (d: Buffer) => (keyringErr += d.toString()));
    keyring.stdout!.resume();
    keyring.on('error', (e) => (keyringErr += `cannot start it (is it installed?): ${e.message}`));
    keyring.stdin!.on('error', () => {}); // EPIPE if it failed to start; reported below
    keyring.stdin!.end('plainview-test-keyring'); // --unlock reads the new keyring's password from stdin

    const deadline = Date.now() + 10_000;
    while (!secretServiceOnBus(env)) {
      if (keyring.exitCode !== null || keyring.pid === undefined || Date.now() > deadline) {
        throw new Error(`gnome-keyring-daemon did not provide the Secret Service: ${keyringErr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return { env: { DBUS_SESSION_BUS_ADDRESS: env.DBUS_SESSION_BUS_ADDRESS }, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * A private keyring for every test of the calling file, with this process's session bus
 * pointed at it (libsecret reads the address when keytar first connects, after this).
 * Returns a getter for the keyring, set once `beforeAll` has run.
 */
export function useKeyringInThisFile(): () => PrivateKeyring {
  let keyring: PrivateKeyring | undefined;
  const savedBus = process.env.DBUS_SESSION_BUS_ADDRESS;
  beforeAll(async () => {
    keyring = await startKeyring();
    process.env.DBUS_SESSION_BUS_ADDRESS = keyring.env.DBUS_SESSION_BUS_ADDRESS;
  });
  afterAll(async () => {
    if (savedBus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = savedBus;
    await keyring?.stop();
  });
  return () => {
    if (!keyring) throw new Error('the keyring starts in beforeAll');
    return keyring;
  };
}
