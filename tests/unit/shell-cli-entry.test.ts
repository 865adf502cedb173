import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startCli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

/**
 * The installed app's `plainview` commands: the built main entry (out/main/index.js, what
 * the package's `main` starts) run under Node with a stand-in `electron` module
 * (tests/fixtures/electron-main-stub.mjs), as Electron would start it with a command. It
 * must run the command exactly as `node out/main/cli.js` does, exit with the command's
 * code, and touch none of the desktop app: no single-instance lock, no window, no waiting
 * for ready. The Electron binary itself is exercised by tests/electron/ where it exists.
 */

const root = path.resolve(__dirname, '../..');
const ENTRY = path.join(root, 'out/main/index.js');
const STUB = path.join(root, 'tests/fixtures/electron-main-stub.mjs');

interface Started {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The Electron calls the entry made, one per line. */
  calls: string[];
}

function setup(extra: Record<string, string> = {}) {
  const dir = tempDir();
  const dataDir = path.join(dir, 'data');
  return { dir, dataDir, env: cleanEnv(dataDir, extra) };
}

/** Starts the built entry like Electron: packaged (`[exe, ...args]`) unless `dev` (`[electron, <app>, ...args]`). */
function start(args: string[], env: NodeJS.ProcessEnv, cwd: string, opts: { dev?: boolean } = {}): Started {
  const journal = path.join(cwd, `calls-${Date.now()}-${Math.random()}.txt`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(STUB).href, ENTRY, ...args], {
    cwd,
    env: { ...env, STUB_JOURNAL: journal, STUB_PACKAGED: opts.dev ? '0' : '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const calls = fs.existsSync(journal) ? fs.readFileSync(journal, 'utf8').trim().split('\n').filter(Boolean) : [];
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, calls };
}

/** What a command run may ask of Electron: only to hear about a quit (and hide the Dock icon). */
function expectNoDesktop(calls: string[]) {
  expect(calls).not.toContain('app.requestSingleInstanceLock');
  expect(calls).not.toContain('new BrowserWindow');
  expect(calls).not.toContain('app.whenReady');
  expect(calls).not.toContain('crashReporter.start');
  expect(
    calls.every((c) => c === 'app.on will-quit' || c === 'app.dock.hide'),
    calls.join(', '),
  ).toBe(true);
}

describe('the installed app runs `plainview` commands (built entry, stand-in Electron)', () => {
  it('`plainview db status` prints what the Node CLI prints, without the desktop app', () => {
    const { dir, env } = setup();
    expect(runCli(['db', 'migrate'], env, dir).code).toBe(0);
    const node = runCli(['db', 'status'], env, dir);
    expect(node.code).toBe(0);

    for (const args of [
      ['db', 'status'],
      ['--cli', 'db', 'status'],
      ['--no-sandbox', '--headless', 'db', 'status'],
    ]) {
      const app = start(args, env, dir);
      expect(app.code, `${args.join(' ')}\n${app.stderr}`).toBe(0);
      expect(app.stdout).toBe(node.stdout);
      expect(app.stderr).toBe(node.stderr);
      expectNoDesktop(app.calls);
    }
  });

  it('in development (`electron . --cli db status`) too', () => {
    const { dir, env } = setup();
    const r = start(['--cli', 'db', 'migrate'], env, dir, { dev: true });
    expect(r.code, r.stderr).toBe(0);
    expectNoDesktop(r.calls);
    expect(start(['db', 'check'], env, dir, { dev: true }).code).toBe(0);
  });

  it('exits with the documented codes: 1 for a missing database or a usage error, 2 for configuration', () => {
    const { dir, env } = setup();
    const missing = start(['db', 'status'], env, dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('There is no database at');

    const unknown = start(['--cli', 'nonsense'], env, dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("plainview: unknown command 'nonsense'");
    expectNoDesktop(unknown.calls);

    const config = start(
      ['db', 'status'],
      { ...env, PLAINVIEW_MQTT_URL: 'mqtt://station:hunter2@broker.invalid' },
      dir,
    );
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('contains a password');
    expect(config.stderr).not.toContain('hunter2');
  });

  it('help and version, as the Node CLI gives them', () => {
    const { dir, env } = setup();
    const version = start(['--version'], env, dir);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(runCli(['--version'], env, dir).stdout);
    const help = start(['db', '--help'], env, dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(runCli(['db', '--help'], env, dir).stdout);
    expect(help.stdout).toContain('Usage: plainview db');
  });

  it('without a command it is the desktop app: the single-instance lock, then the window once ready', () => {
    const { dir, env } = setup();
    for (const args of [[], ['plainview://alarm/a-1'], ['--no-sandbox']]) {
      const gui = start(args, env, dir);
      expect(gui.code).toBe(0);
      expect(gui.calls).toContain('app.requestSingleInstanceLock');
      expect(gui.calls).toContain('app.whenReady');
      expect(gui.stdout).toBe('');
    }
  });

  it('never a second station on a data folder in use: a command beside a running station is refused', async () => {
    const { dir, env } = setup();
    const station = startCli(['station'], env, dir);
    try {
      await station.waitFor('station ready', 30_000);
      for (const args of [['--cli', 'db', 'migrate'], ['station']]) {
        const r = start(args, env, dir);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr).toMatch(/The data folder .* is in use by/);
        expectNoDesktop(r.calls);
      }
      // Reading beside a running station is allowed, as with the Node CLI.
      expect(start(['db', 'status'], env, dir).code).toBe(0);
    } finally {
      station.child.kill('SIGTERM');
      expect((await station.exited).code).toBe(0);
    }
  });
});
