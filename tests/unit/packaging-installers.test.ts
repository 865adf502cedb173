import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp';

/**
 * What the installers need beyond the app itself, offline: the `plainview` launchers, the
 * deb's and AppImage's fields, the icons, the deb's scripts and the NSIS include
 * (scripts/installer-check.mjs, run by the afterPack hook). tests/packaging/package.test.ts
 * runs the same check in a real `electron-builder --linux dir` build.
 */

const root = path.resolve(__dirname, '../..');
const resources = path.join(root, 'resources');
const require = createRequire(import.meta.url);
type Json = Record<string, unknown>;

interface Icon {
  file: string;
  size: number;
}
interface InstallerCheck {
  LINUX_ICON_SIZES?: number[];
  linuxMetadataProblems(metadata: Json, linux: Json): string[];
  iconSetProblems(icons: Icon[], sizes?: number[]): string[];
  desktopEntryProblems(entry: string, productName: string): string[];
  launcherProblems(appOutDir: string, platformName: string): string[];
  pngSize(file: string): { width: number; height: number } | null;
}
interface IconConverter {
  convertIcon(o: {
    sources: string[];
    fallbackSources: string[];
    roots: string[];
    format: string;
    outDir: string;
  }): Promise<{
    icons: Icon[];
    isFallback: boolean;
  }>;
}

let check: InstallerCheck;
let sizes: number[];
let debScripts: { debScript(projectDir: string, name: string): string; DEB_SCRIPTS: string[] };
let config: Json;
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Json;

beforeAll(async () => {
  check = await import(pathToFileURL(path.join(root, 'scripts/installer-check.mjs')).href);
  sizes = (await import(pathToFileURL(path.join(root, 'scripts/icons.mjs')).href)).LINUX_ICON_SIZES;
  debScripts = await import(pathToFileURL(path.join(root, 'scripts/deb-scripts.mjs')).href);
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config');
  const { DebugLogger } = require('builder-util');
  config = await getConfig(root, path.join(root, 'electron-builder.yml'), null);
  await validateConfiguration(config, new DebugLogger(false));
});

const linux = () => config.linux as Json;
const without = (o: Json, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

describe('deb and AppImage fields (package.json, electron-builder.yml linux)', () => {
  it('the configuration has every field: homepage, description, maintainer, synopsis, executable, desktopName', () => {
    expect(check.linuxMetadataProblems(pkg, linux())).toEqual([]);
    expect(linux().executableName).toBe('plainview');
    expect(pkg.desktopName).toBe('plainview.desktop');
  });

  it('the check bites: each missing field is named', () => {
    const named = (metadata: Json, options: Json) => check.linuxMetadataProblems(metadata, options).join('\n');
    expect(named(without(pkg, 'homepage'), linux())).toMatch(/^homepage \(package\.json\) is missing/);
    expect(named({ ...pkg, homepage: '' }, linux())).toMatch(/homepage/);
    expect(named(without(pkg, 'description'), linux())).toMatch(/^description \(package\.json\)/);
    expect(named(without(pkg, 'desktopName'), linux())).toMatch(
      /^desktopName \(package\.json\) must be "plainview\.desktop"/,
    );
    expect(named(pkg, without(linux(), 'maintainer'))).toMatch(/^linux\.maintainer/);
    // An author with an email does instead.
    expect(named({ ...pkg, author: { name: 'P', email: 'it@example.invalid' } }, without(linux(), 'maintainer'))).toBe(
      '',
    );
    expect(named(pkg, without(linux(), 'synopsis'))).toMatch(/^linux\.synopsis/);
    expect(named(pkg, without(linux(), 'executableName'))).toMatch(/^linux\.executableName must be "plainview"/);
    expect(named(pkg, without(linux(), 'syncDesktopName'))).toMatch(/^linux\.syncDesktopName/);
  });

  it('the desktop entry check names what is wrong', () => {
    const good = [
      '[Desktop Entry]',
      'Name=Plainview',
      'Exec=/opt/Plainview/plainview %U',
      'Terminal=false',
      'Type=Application',
      'Icon=plainview',
      'StartupWMClass=plainview',
      'Comment=Plainview: the pipeline control-room console',
      'Categories=Utility;',
    ].join('\n');
    expect(check.desktopEntryProblems(good, 'Plainview')).toEqual([]);
    const bad = good.replace('StartupWMClass=plainview', 'StartupWMClass=Plainview').replace(/^Comment=.*$/m, '');
    expect(check.desktopEntryProblems(bad, 'Plainview')).toEqual([
      'desktop entry: StartupWMClass is not plainview',
      'desktop entry: no Comment (package.json description)',
    ]);
  });
});

describe('icons (resources/, drawn by scripts/icons.mjs)', () => {
  const converter = (): IconConverter =>
    createRequire(require.resolve('app-builder-lib/package.json'))('./out/util/iconConverter');
  const resolve = (format: string, sources: string[]) =>
    converter().convertIcon({ sources, fallbackSources: [], roots: [resources, root], format, outDir: tempDir() });

  it('the Linux set has every size electron-builder installs, each a PNG of its size, and 1024 px master', async () => {
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256, 512]);
    expect(linux().icon).toBe('icons');
    // As electron-builder resolves linux.icon for the deb and the AppImage, offline.
    const set = await resolve('set', [String(linux().icon)]);
    expect(set.isFallback).toBe(false);
    expect(set.icons.map((i) => i.size)).toEqual(sizes);
    expect(check.iconSetProblems(set.icons)).toEqual([]);
    expect(check.pngSize(path.join(resources, 'icon.png'))).toEqual({ width: 1024, height: 1024 });
  });

  it('the icon set check bites: a missing size or a wrong image is named', () => {
    const dir = tempDir();
    const icons = sizes
      .filter((s) => s !== 512)
      .map((size) => ({ size, file: path.join(resources, 'icons', `${size}x${size}.png`) }));
    expect(check.iconSetProblems(icons)).toEqual([
      'linux.icon: no 512x512 in the icon set (resources/icons; node scripts/icons.mjs)'.replace(
        '512x512',
        '512x512.png',
      ),
    ]);
    const wrong = path.join(dir, '64x64.png');
    fs.copyFileSync(path.join(resources, 'icons', '32x32.png'), wrong);
    const swapped = icons.map((i) => (i.size === 64 ? { size: 64, file: wrong } : i));
    expect(check.iconSetProblems(swapped, [64])).toEqual(['linux.icon: 64x64.png is not a 64x64 PNG']);
  });

  it('Windows and macOS take resources/icon.ico and icon.icns as they are (no converter download)', async () => {
    const win = config.win as Json;
    const mac = config.mac as Json;
    const ico = await resolve('ico', [String(win.icon)]);
    expect(ico.icons).toEqual([{ file: path.join(resources, 'icon.ico'), size: 256 }]);
    const icns = await resolve('icns', [String(mac.icon)]);
    expect(icns.icons.map((i) => i.file)).toEqual([path.join(resources, 'icon.icns')]);
    // The .icns holds PNG images up to 1024 px (ic10).
    const data = fs.readFileSync(path.join(resources, 'icon.icns'));
    expect(data.toString('latin1', 0, 4)).toBe('icns');
    expect(data.readUInt32BE(4)).toBe(data.length);
    expect(data.includes(Buffer.from('ic10'))).toBe(true);
  });
});

describe('the plainview launchers', () => {
  const launcher = path.join(resources, 'bin', 'linux', 'plainview');

  /** An unpacked app whose binary prints its arguments and exits with PLAINVIEW_FAKE_CODE. */
  function fakeInstall() {
    const opt = tempDir();
    fs.mkdirSync(path.join(opt, 'bin'));
    fs.copyFileSync(launcher, path.join(opt, 'bin', 'plainview'));
    fs.chmodSync(path.join(opt, 'bin', 'plainview'), 0o755);
    fs.writeFileSync(path.join(opt, 'plainview'), '#!/bin/sh\necho "args:$*"\nexit "${PLAINVIEW_FAKE_CODE:-0}"\n', {
      mode: 0o755,
    });
    // /usr/bin/plainview -> /etc/alternatives/plainview -> /opt/Plainview/bin/plainview
    const usrBin = tempDir();
    fs.symlinkSync(path.join(opt, 'bin', 'plainview'), path.join(usrBin, 'alternative'));
    fs.symlinkSync(path.join(usrBin, 'alternative'), path.join(usrBin, 'plainview'));
    return { opt, command: path.join(usrBin, 'plainview') };
  }

  const run = (command: string, args: string[], code = '0') =>
    spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, PLAINVIEW_FAKE_CODE: code } });

  it('Linux: `plainview` alone starts the desktop app; with a command it runs it headless, through the links', () => {
    const { command } = fakeInstall();
    expect(run(command, []).stdout).toBe('args:\n');
    const r = run(command, ['db', 'status'], '3');
    expect(r.stdout).toBe('args:--headless --disable-gpu --cli db status\n');
    expect(r.status).toBe(3);
    expect(run(command, ['secrets', 'set', 'mqtt password']).stdout).toContain('--cli secrets set mqtt password');
  });

  it('Linux: the launcher is executable in the repository and named in linux.extraFiles', () => {
    expect(fs.statSync(launcher).mode & 0o111).not.toBe(0);
    expect(linux().extraFiles).toEqual([{ from: 'resources/bin/linux/plainview', to: 'bin/plainview' }]);
    const dir = tempDir();
    expect(check.launcherProblems(dir, 'linux')).toEqual([
      'bin/plainview is missing from the package (linux.extraFiles)',
    ]);
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'plainview'), '#!/bin/sh\n', { mode: 0o644 });
    expect(check.launcherProblems(dir, 'linux')).toEqual([
      'bin/plainview is not executable (resources/bin/linux/plainview)',
    ]);
  });

  it('Windows: bin\\plainview.cmd runs Plainview.exe --cli with every argument and hands back its exit code', () => {
    const win = config.win as Json;
    expect(win.extraFiles).toEqual([{ from: 'resources/bin/win/plainview.cmd', to: 'bin/plainview.cmd' }]);
    const cmd = fs.readFileSync(path.join(resources, 'bin', 'win', 'plainview.cmd'), 'latin1');
    // A batch file with LF line ends can misparse: every line ends CRLF.
    expect(
      cmd
        .split('\r\n')
        .slice(0, -1)
        .every((line) => !line.includes('\n')),
    ).toBe(true);
    expect(cmd.endsWith('\r\n')).toBe(true);
    const lines = cmd.split('\r\n').filter((l) => l && !/^(@echo off|rem\b)/i.test(l));
    expect(lines).toEqual([`"%~dp0..\\${String(config.productName)}.exe" --cli %*`, 'exit /b %ERRORLEVEL%']);
    expect(check.launcherProblems(tempDir(), 'win32')).toEqual([
      'bin/plainview.cmd is missing from the package (win.extraFiles)',
    ]);
  });

  it('Windows: the NSIS installer adds <install folder>\\bin to the machine PATH and the uninstaller removes it', () => {
    const nsis = config.nsis as Json;
    expect(nsis.include).toBe('resources/installer.nsh');
    expect(nsis.perMachine).toBe(true);
    const nsh = fs.readFileSync(path.join(root, String(nsis.include)), 'utf8');
    expect(nsh).toMatch(/!macro customInstall[\s\S]*\$\{WordAdd\} \$R0 ";" "\+\$INSTDIR\\bin"/);
    expect(nsh).toMatch(
      /!macro customUnInstall[\s\S]*\$\{IfNot\} \$\{isUpdated\}[\s\S]*\$\{un\.WordAdd\} \$R0 ";" "-\$INSTDIR\\bin"/,
    );
    expect(nsh).toContain('HKLM "${PLAINVIEW_ENV_KEY}" "Path"');
    // Never written back cut short.
    expect(nsh).toMatch(/\$\{If\} \$R2 < \$\{NSIS_MAX_STRLEN\}/);
  });

  const makensis = spawnSync('makensis', ['-VERSION'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!makensis)('Windows: the NSIS include compiles (where makensis is installed)', () => {
    const dir = tempDir();
    const script = path.join(dir, 'check.nsi');
    fs.writeFileSync(
      script,
      [
        'Unicode true',
        `OutFile "${path.join(dir, 'check.exe')}"`,
        'InstallDir "$PROGRAMFILES64\\Plainview"',
        // electron-builder defines isUpdated; a stand-in that is never true.
        '!define isUpdated `"" == "x"`',
        `!include "${path.join(resources, 'installer.nsh')}"`,
        'Section "Install"',
        '  !insertmacro customInstall',
        `  WriteUninstaller "$INSTDIR\\uninstall.exe"`,
        'SectionEnd',
        'Section "un.Uninstall"',
        '  !insertmacro customUnInstall',
        'SectionEnd',
      ].join('\n'),
    );
    const r = spawnSync('makensis', ['-V2', '-WX', script], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('the deb links /usr/bin/plainview to the launcher: its scripts are electron-builder’s with that one change', () => {
    const deb = (config.deb ?? {}) as Json;
    expect(deb.afterInstall).toBe('resources/linux/after-install.tpl');
    expect(deb.afterRemove).toBe('resources/linux/after-remove.tpl');
    for (const name of debScripts.DEB_SCRIPTS) {
      const committed = fs.readFileSync(path.join(resources, 'linux', name), 'utf8');
      expect(committed, `${name}: run node scripts/deb-scripts.mjs`).toBe(debScripts.debScript(root, name));
      expect(committed).toContain("'/opt/${sanitizedProductName}/bin/${executable}'");
      expect(committed).not.toContain("'/opt/${sanitizedProductName}/${executable}'");
    }
  });
});
