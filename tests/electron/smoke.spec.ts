import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { _electron as electron, chromium, expect, test, type Page } from '@playwright/test';

/**
 * The Electron smoke test: the real app in the real Electron binary, which the unit tests
 * replace with stand-ins. Where the binary is absent (node_modules/electron installed with
 * ELECTRON_SKIP_BINARY_DOWNLOAD, as on the development machines here) or there is no display,
 * each test is skipped with the reason printed, and counted as skipped. The release
 * procedure (DEPLOYMENT.md, Release builds) runs it where both exist:
 *
 * - the built app (`npm run build`, then `electron .`), driven by Playwright's Electron
 *   launcher: the window shows the DEMO site, sandboxed and context-isolated, a valve's
 *   detail opens, `--cli db status` runs through the same entry beside it, and it quits with
 *   the data folder unlocked;
 * - the packaged app, when PLAINVIEW_PACKAGED_APP names its binary (release/linux-unpacked/
 *   plainview, release/win-unpacked/Plainview.exe, …/Plainview.app/Contents/MacOS/Plainview):
 *   the same through the installed `plainview` launcher and Chromium's DevTools port. Its fuses
 *   refuse Node's --inspect, which Playwright's Electron launcher needs.
 */

const root = path.resolve(__dirname, '../..');

/**
 * The Electron binary in node_modules, or why there is none. Found the way electron/index.js
 * finds it, without requiring that file: where the binary is missing, it tries to download it.
 */
function electronBinary(): { binary: string } | { skip: string } {
  const pkg = path.dirname(createRequire(__filename).resolve('electron/package.json'));
  const pathFile = path.join(pkg, 'path.txt');
  if (!fs.existsSync(pathFile)) {
    return { skip: 'node_modules/electron has no binary (installed with ELECTRON_SKIP_BINARY_DOWNLOAD)' };
  }
  const name = fs.readFileSync(pathFile, 'utf8');
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkg, 'dist');
  const binary = path.join(dist, name);
  return fs.existsSync(binary) ? { binary } : { skip: `no Electron binary at ${binary}` };
}

function noDisplay(): string | null {
  if (process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return null;
  return 'no display (DISPLAY and WAYLAND_DISPLAY unset): run it under xvfb-run';
}

function skipReason(found: { skip: string } | object): string | null {
  return 'skip' in found ? found.skip : noDisplay();
}

/** Prints why a test does not run, so the skip is seen in the run's output, not only counted. */
function skipWith(reason: string | null): void {
  if (reason) process.stdout.write(`electron smoke test skipped: ${reason}\n`);
  test.skip(reason !== null, reason ?? '');
}

interface Site {
  dataDir: string;
  profile: string;
  lock: string;
  env: NodeJS.ProcessEnv;
}

/** A data folder and a Chromium profile of the test's own, and the DEMO site (no broker URL). */
function site(): Site {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-electron-'));
  const dataDir = path.join(dir, 'data');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PLAINVIEW_') && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
  }
  Object.assign(env, { PLAINVIEW_DATA_DIR: dataDir, XDG_CONFIG_HOME: path.join(dir, 'xdg') });
  return { dataDir, profile: path.join(dir, 'profile'), lock: path.join(dataDir, 'plainview.lock'), env };
}

/** The console as an operator sees it: the DEMO site, then a valve's detail. */
async function openValveDetail(page: Page): Promise<void> {
  await expect(page.getByTestId('demo-banner')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('valve-symbol-v-101')).toBeVisible({ timeout: 30_000 });
  // Nothing of Node or Electron in the page: the preload's window.plainview only.
  const seen = await page.evaluate(() => {
    const w = globalThis as unknown as Record<string, unknown>;
    return [typeof w.plainview, typeof w.require, typeof w.process];
  });
  expect(seen).toEqual(['object', 'undefined', 'undefined']);
  await page.getByTestId('valve-symbol-v-101').click();
  await expect(page.getByTestId('valve-detail')).toBeVisible();
}

function expectStatus(r: { status: number | null; stdout: string; stderr: string }): void {
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^schema version: +\d+/m);
}

test.describe('the built app in Electron', () => {
  const found = electronBinary();
  skipWith(skipReason(found));

  test('DEMO site in a sandboxed, isolated window; a valve detail; `--cli db status` beside it; a clean quit', async () => {
    const binary = (found as { binary: string }).binary;
    const s = site();
    const app = await electron.launch({ args: [`--user-data-dir=${s.profile}`, root], cwd: root, env: s.env as never });
    try {
      const page = await app.firstWindow();
      const prefs = await app.evaluate(({ BrowserWindow }) => {
        const contents = BrowserWindow.getAllWindows()[0]?.webContents as unknown as {
          getLastWebPreferences(): Record<string, unknown>;
        };
        const p = contents.getLastWebPreferences();
        return { sandbox: p.sandbox, contextIsolation: p.contextIsolation, nodeIntegration: p.nodeIntegration };
      });
      expect(prefs).toEqual({ sandbox: true, contextIsolation: true, nodeIntegration: false });
      await openValveDetail(page);
      expect(fs.existsSync(s.lock)).toBe(true);

      // The installed entry's way: the same app started with a command, beside the console.
      expectStatus(
        spawnSync(binary, [root, '--cli', 'db', 'status'], { env: s.env, encoding: 'utf8', timeout: 60_000 }),
      );
    } finally {
      await app.close();
    }
    // The station stopped with the app: the data folder is free.
    expect(fs.existsSync(s.lock)).toBe(false);
  });
});

test.describe('the packaged app', () => {
  const packaged = process.env.PLAINVIEW_PACKAGED_APP;
  skipWith(
    packaged
      ? fs.existsSync(packaged)
        ? noDisplay()
        : `PLAINVIEW_PACKAGED_APP names no file: ${packaged}`
      : 'PLAINVIEW_PACKAGED_APP is not set (a release build sets it to the packaged binary)',
  );

  /** `plainview <args>` the way the installer puts it on the PATH. */
  function command(args: string[], env: NodeJS.ProcessEnv) {
    const exe = packaged as string;
    const dir = path.dirname(exe);
    const options = { env, encoding: 'utf8' as const, timeout: 60_000 };
    if (process.platform === 'linux') return spawnSync(path.join(dir, 'bin', 'plainview'), args, options);
    if (process.platform === 'win32') {
      return spawnSync(path.join(dir, 'bin', 'plainview.cmd'), args, { ...options, shell: true });
    }
    return spawnSync(exe, ['--cli', ...args], options);
  }

  async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  test('the installed command, then the console on the DEMO site, then a clean quit', async () => {
    const s = site();
    expect(command(['db', 'migrate'], s.env).status).toBe(0);
    expectStatus(command(['db', 'status'], s.env));

    const port = await freePort();
    const child: ChildProcess = spawn(
      packaged as string,
      [`--user-data-dir=${s.profile}`, `--remote-debugging-port=${port}`],
      {
        env: s.env,
        stdio: 'ignore',
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let browser: Awaited<ReturnType<typeof chromium.connectOverCDP>> | undefined;
      await expect
        .poll(
          async () => (browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`).catch(() => undefined)),
          {
            timeout: 60_000,
          },
        )
        .toBeTruthy();
      const context = browser!.contexts()[0]!;
      await expect
        .poll(() => context.pages().find((p) => p.url().startsWith('app://')), { timeout: 60_000 })
        .toBeTruthy();
      const page = context.pages().find((p) => p.url().startsWith('app://'))!;
      await openValveDetail(page);
      expect(fs.existsSync(s.lock)).toBe(true);
      expectStatus(command(['db', 'status'], s.env));
      // Closing the only window quits the app (window-all-closed), which stops the station.
      await page.close();
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill();
    }
    expect(fs.existsSync(s.lock)).toBe(false);
  });
});
