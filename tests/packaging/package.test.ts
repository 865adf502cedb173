import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';

/**
 * Builds the real package offline, the way /work/shared/notes/packaging-without-electron.md
 * describes: `electron-builder --linux dir` with electron-builder.yml, a stand-in Electron
 * distribution (one executable `electron` whose bytes end with the fuse wire), the Electron
 * version from node_modules/electron and no native rebuild (Electron's headers cannot be
 * downloaded here). Then reads what was packed (app.asar), what was left unpacked, and the
 * fuses electron-builder flipped in the binary.
 *
 * Three builds run side by side: one with afterPack switched off, to look at the package; one
 * exactly as configured, which the afterPack check must refuse, because node_modules holds
 * better-sqlite3 built for Node (npm test runs scripts/native.mjs node first), and must not
 * find any installer field missing; and one without fields the deb and the AppImage need
 * (homepage, desktopName, the 512 px icon), which the same check must refuse, naming them,
 * although `--linux dir` itself needs none of them.
 */

const root = path.resolve(__dirname, '../..');
const require = createRequire(import.meta.url);
const builderRequire = createRequire(require.resolve('app-builder-lib/package.json'));
const run = promisify(execFile);

interface Asar {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  extractFile(archive: string, file: string): Buffer;
  uncacheAll(): void;
}
interface Fuses {
  getCurrentFuseWire(binary: string): Promise<Record<string, unknown>>;
  FuseV1Options: Record<string, number>;
}
const asar: Asar = builderRequire('@electron/asar');
const fuses: Fuses = builderRequire('@electron/fuses');
const FUSE_ENABLE = '1'.charCodeAt(0);
const FUSE_DISABLE = '0'.charCodeAt(0);

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's own defaults, so every fuse the config sets has to be flipped to pass. */
const DEFAULT_WIRE = '10110001';
const electronVersion: string = require('electron/package.json').version;

const BUILT = ['out/main/index.js', 'out/preload/index.js', 'out/renderer/index.html'];

interface BuildResult {
  ok: boolean;
  output: string;
  appDir: string;
}

/** One `electron-builder --linux dir` run into `work/<name>`, with `overrides` on top of electron-builder.yml. */
async function build(work: string, name: string, overrides: Record<string, unknown>): Promise<BuildResult> {
  const dist = path.join(work, 'electron-dist');
  const out = path.join(work, name);
  const config = path.join(work, `${name}.json`);
  fs.writeFileSync(
    config,
    JSON.stringify({
      extends: `file:${path.join(root, 'electron-builder.yml')}`,
      electronDist: dist,
      electronVersion,
      npmRebuild: false,
      directories: { output: out },
      ...overrides,
    }),
  );
  const cli = require.resolve('electron-builder/cli.js');
  const args = [cli, '--linux', 'dir', '--projectDir', root, '--config', config, '--publish', 'never'];
  // No signing material reaches the build, whatever the developer's shell holds.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(CSC_|WIN_CSC_|APPLE_|GH_TOKEN|GITHUB_TOKEN)/.test(k)),
  );
  try {
    const r = await run(process.execPath, args, { cwd: root, env, timeout: 120_000, maxBuffer: 16 << 20 });
    return { ok: true, output: r.stdout + r.stderr, appDir: path.join(out, 'linux-unpacked') };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return {
      ok: false,
      output: `${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
      appDir: path.join(out, 'linux-unpacked'),
    };
  }
}

describe('the packaged app (electron-builder --linux dir, stand-in Electron)', () => {
  let work: string;
  let pkg: BuildResult;
  let guarded: BuildResult;
  let incomplete: BuildResult;
  let archive: string;
  let entries: { path: string; unpacked: boolean }[];

  beforeAll(async () => {
    const missing = BUILT.filter((f) => !fs.existsSync(path.join(root, f)));
    if (missing.length > 0) {
      throw new Error(
        `out/ is not built (missing ${missing.join(', ')}): run \`npm run build\` first (\`npm test\` does it before vitest).`,
      );
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'plainview-package-'));
    const dist = path.join(work, 'electron-dist');
    fs.mkdirSync(dist);
    fs.writeFileSync(
      path.join(dist, 'electron'),
      Buffer.concat([
        Buffer.from(`#!/bin/sh\necho stand-in\nexit 0\n# ${SENTINEL}`),
        Buffer.from([1, DEFAULT_WIRE.length]),
        Buffer.from(DEFAULT_WIRE),
      ]),
      { mode: 0o755 },
    );
    // The icon set without its 512 px image.
    const icons = path.join(work, 'icons');
    fs.cpSync(path.join(root, 'resources/icons'), icons, { recursive: true });
    fs.rmSync(path.join(icons, '512x512.png'));
    [pkg, guarded, incomplete] = await Promise.all([
      build(work, 'package', { afterPack: null }),
      build(work, 'guarded', {}),
      build(work, 'incomplete', { extraMetadata: { homepage: null, desktopName: null }, linux: { icon: icons } }),
    ]);
    if (!pkg.ok) throw new Error(`electron-builder failed:\n${pkg.output}`);
    archive = path.join(pkg.appDir, 'resources', 'app.asar');
    entries = asar.listPackage(archive, { isPack: true }).map((line) => {
      const m = /^(pack|unpack)\s*:\s*(\/.*)$/.exec(line);
      if (!m) throw new Error(`unexpected asar list line: ${line}`);
      return { path: (m[2] as string).slice(1), unpacked: m[1] === 'unpack' };
    });
  }, 180_000);

  afterAll(() => {
    asar.uncacheAll();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const packedFiles = () => entries.filter((e) => !e.unpacked).map((e) => e.path);

  it('packs the main, preload and renderer bundles, byte for byte as built', () => {
    const files = new Set(entries.map((e) => e.path));
    for (const f of [...BUILT, 'out/main/cli.js', 'package.json']) expect(files.has(f), f).toBe(true);
    for (const f of BUILT) {
      expect(asar.extractFile(archive, f).equals(fs.readFileSync(path.join(root, f))), f).toBe(true);
    }
    const manifest = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8'));
    expect(manifest.main).toBe('out/main/index.js');
    expect(manifest.devDependencies).toBeUndefined();
    // Electron names the window (Linux app id, WM_CLASS) after it; the desktop entry matches.
    expect(manifest.desktopName).toBe('plainview.desktop');
  });

  it('the main entry reaches the `plainview` program: every chunk it requires is packed', () => {
    const files = new Set(entries.map((e) => e.path));
    const reached = new Set<string>();
    const queue = ['out/main/index.js'];
    while (queue.length > 0) {
      const file = queue.shift() as string;
      if (reached.has(file)) continue;
      reached.add(file);
      const code = asar.extractFile(archive, file).toString('utf8');
      for (const [, rel] of code.matchAll(/require\("(\.\.?\/[^"]+)"\)/g)) {
        const target = path.posix.join(path.posix.dirname(file), rel as string);
        expect(files.has(target), `${file} requires ${target}`).toBe(true);
        queue.push(target);
      }
    }
    const code = [...reached].map((f) => asar.extractFile(archive, f).toString('utf8')).join('\n');
    // The program's commands and its dispatch, reached from the entry Electron starts.
    expect(code).toContain('run the station core without a window');
    expect(code).toContain('schema version, pending migrations, size and last backup');
    expect(code).toContain('"--cli"');
  });

  it('ships the `plainview` launcher beside the binary, executable', () => {
    const launcher = path.join(pkg.appDir, 'bin', 'plainview');
    expect(fs.readFileSync(launcher, 'utf8')).toBe(
      fs.readFileSync(path.join(root, 'resources/bin/linux/plainview'), 'utf8'),
    );
    expect(fs.statSync(launcher).mode & 0o111).not.toBe(0);
    expect(fs.existsSync(path.join(pkg.appDir, 'plainview'))).toBe(true);
    // Nothing of the other platforms' launchers.
    expect(fs.existsSync(path.join(pkg.appDir, 'bin', 'plainview.cmd'))).toBe(false);
  });

  it('the afterPack check finds the configured installer fields complete', () => {
    expect(guarded.output).not.toContain('the installers would be incomplete');
  });

  it('the afterPack check refuses a build missing a field the deb or AppImage needs, naming each', () => {
    expect(incomplete.ok).toBe(false);
    expect(incomplete.output).toContain('the installers would be incomplete');
    expect(incomplete.output).toContain('homepage (package.json) is missing');
    expect(incomplete.output).toContain('desktopName (package.json) must be "plainview.desktop"');
    expect(incomplete.output).toContain('no 512x512.png in the icon set');
    // electron-builder's own deb check, which otherwise runs only when the deb is built.
    expect(incomplete.output).toContain('Please specify project homepage');
    expect(incomplete.output).not.toContain('executing @electron/fuses');
  });

  it('carries every migration inside the main bundle', () => {
    const main = entries
      .filter((e) => e.path.startsWith('out/main/') && e.path.endsWith('.js'))
      .map((e) => asar.extractFile(archive, e.path).toString('utf8'))
      .join('\n');
    expect(migrations.length).toBeGreaterThan(0);
    for (const m of migrations) {
      expect(main, `migration ${m.version} ${m.name}`).toMatch(new RegExp(`name:\\s*["'\`]${m.name}["'\`]`));
    }
  });

  it('leaves out the harness, tests, sources and source maps', () => {
    const bad = entries
      .map((e) => e.path)
      .filter(
        (p) =>
          /^(harness|tests|src|migrations|scripts|resources|bench|docs)(\/|$)/.test(p) ||
          /\.map$/.test(p) ||
          /(^|\/)(test|tests|__tests__)\//.test(p) ||
          /\.(test|spec)\.[cm]?[jt]s$/.test(p) ||
          /\.[cm]?ts$/.test(p),
      );
    expect(bad).toEqual([]);
  });

  it('unpacks the native modules and packs no .node file inside the archive', () => {
    const nodeFiles = entries.filter((e) => e.path.endsWith('.node'));
    expect(nodeFiles.map((e) => path.basename(e.path)).sort()).toEqual(['better_sqlite3.node', 'keytar.node']);
    expect(nodeFiles.every((e) => e.unpacked)).toBe(true);
    expect(packedFiles().filter((p) => p.endsWith('.node'))).toEqual([]);
    const unpacked = path.join(pkg.appDir, 'resources', 'app.asar.unpacked');
    for (const e of nodeFiles) expect(fs.existsSync(path.join(unpacked, e.path)), e.path).toBe(true);
    // Only what the runtime loads: no sqlite sources or build objects (~22 MB).
    expect(fs.existsSync(path.join(unpacked, 'node_modules/better-sqlite3/deps'))).toBe(false);
    expect(fs.existsSync(path.join(unpacked, 'node_modules/better-sqlite3/src'))).toBe(false);
  });

  it('flips every fuse in the packaged binary', async () => {
    const binary = path.join(pkg.appDir, 'plainview');
    const wire = await fuses.getCurrentFuseWire(binary);
    const o = fuses.FuseV1Options;
    const state = (name: string) => wire[o[name] as number];
    expect(state('RunAsNode')).toBe(FUSE_DISABLE);
    expect(state('EnableNodeOptionsEnvironmentVariable')).toBe(FUSE_DISABLE);
    expect(state('EnableNodeCliInspectArguments')).toBe(FUSE_DISABLE);
    expect(state('EnableEmbeddedAsarIntegrityValidation')).toBe(FUSE_ENABLE);
    expect(state('OnlyLoadAppFromAsar')).toBe(FUSE_ENABLE);
    expect(state('EnableCookieEncryption')).toBe(FUSE_ENABLE);
    expect(state('GrantFileProtocolExtraPrivileges')).toBe(FUSE_DISABLE);
  });

  it('writes the update configuration with the placeholder URL the app replaces from policy', () => {
    const yml = fs.readFileSync(path.join(pkg.appDir, 'resources', 'app-update.yml'), 'utf8');
    expect(yml).toMatch(/^provider: generic$/m);
    expect(yml).toMatch(/^url: https:\/\/[^/\s]+\.invalid\//m);
  });

  it('the afterPack check refuses the package when better-sqlite3 is built for Node, not Electron', async () => {
    const check = await import(pathToFileURL(path.join(root, 'scripts/package-check.mjs')).href);
    const electron: { abi: number } = check.installedElectron(root);
    const sqlite = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build/Release');
    const installed = check.nativeModuleTarget(path.join(sqlite, 'better_sqlite3.node')) as {
      kind: string;
      abi?: number;
    };
    // npm test rebuilds for Node before vitest; with an Electron build in node_modules the
    // configured build would rightly pass, so there is nothing to refuse.
    if (installed.abi === electron.abi) {
      expect(guarded.ok, guarded.output).toBe(true);
      return;
    }
    expect(guarded.ok).toBe(false);
    expect(guarded.output).toContain(
      `better_sqlite3.node is built for ABI ${installed.abi}, Electron needs ABI ${electron.abi}`,
    );
    // It stopped before the fuses were flipped and before anything was signed.
    expect(guarded.output).not.toContain('executing @electron/fuses');
  });
});
