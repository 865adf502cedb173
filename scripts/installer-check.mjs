// Refuses a Linux, Windows or macOS package that would not make a complete installer, while
// it is still only the unpacked app: run by the afterPack hook (scripts/package-check.mjs),
// so `electron-builder --linux dir`, which CI builds offline (tests/packaging/), already
// fails on a field the deb or the AppImage needs. electron-builder itself checks some of
// them only when it builds the deb (`Please specify project homepage`), which needs tools
// downloaded at release time, and only warns about others (no desktopName, no icon: the
// Electron icon is used).
//
// Each problem names the field or file to fix. DEPLOYMENT.md, Release builds.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { LINUX_ICON_SIZES } from './icons.mjs';

/** The command's name on every platform: /usr/bin/plainview, bin\plainview.cmd. */
export const COMMAND = 'plainview';

/** Width and height of a PNG file, or null if it is not one. */
export function pngSize(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 24 || buf.toString('latin1', 1, 4) !== 'PNG') return null;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/**
 * package.json (with electron-builder's extraMetadata) and the merged linux options: what
 * the deb's control file, the desktop entry and the window's app id are made from.
 */
export function linuxMetadataProblems(metadata, linux) {
  const problems = [];
  const blank = (v) => typeof v !== 'string' || v.trim() === '';
  if (blank(metadata.homepage)) problems.push('homepage (package.json) is missing: the deb needs a Homepage');
  if (blank(metadata.description))
    problems.push('description (package.json) is missing: the deb and the desktop entry need it');
  if (blank(linux.maintainer) && blank(metadata.author?.email)) {
    problems.push('linux.maintainer (or an author email in package.json) is missing: the deb needs a Maintainer');
  }
  if (blank(linux.synopsis)) problems.push('linux.synopsis is missing: the deb needs a short description');
  if (linux.executableName !== COMMAND) {
    problems.push(`linux.executableName must be "${COMMAND}": it names /opt/Plainview/${COMMAND} and the command`);
  }
  if (metadata.desktopName !== `${COMMAND}.desktop`) {
    problems.push(
      `desktopName (package.json) must be "${COMMAND}.desktop": Electron names the window after it, and the desktop entry must match`,
    );
  }
  if (linux.syncDesktopName !== true)
    problems.push('linux.syncDesktopName must be true: the desktop entry is named after desktopName');
  return problems;
}

/** The Linux icon set as electron-builder resolved it: every size, each a PNG of that size. */
export function iconSetProblems(icons, sizes = LINUX_ICON_SIZES) {
  const problems = [];
  const bySize = new Map(icons.map((i) => [i.size, i.file]));
  for (const size of sizes) {
    const file = bySize.get(size);
    if (!file) {
      problems.push(`linux.icon: no ${size}x${size}.png in the icon set (resources/icons; node scripts/icons.mjs)`);
      continue;
    }
    const actual = pngSize(file);
    if (!actual || actual.width !== size || actual.height !== size) {
      problems.push(`linux.icon: ${path.basename(file)} is not a ${size}x${size} PNG`);
    }
  }
  return problems;
}

/** The .desktop file electron-builder writes for the deb and the AppImage. */
export function desktopEntryProblems(entry, productName) {
  const problems = [];
  const want = {
    Name: productName,
    Icon: COMMAND,
    StartupWMClass: COMMAND,
    Type: 'Application',
  };
  for (const [key, value] of Object.entries(want)) {
    if (!new RegExp(`^${key}=${value}$`, 'm').test(entry)) problems.push(`desktop entry: ${key} is not ${value}`);
  }
  if (!/^Comment=\S/m.test(entry)) problems.push('desktop entry: no Comment (package.json description)');
  if (!/^Categories=\S/m.test(entry)) problems.push('desktop entry: no Categories (linux.category)');
  return problems;
}

/** The `plainview` launcher in the unpacked app. */
export function launcherProblems(appOutDir, platformName) {
  if (platformName === 'linux') {
    const file = path.join(appOutDir, 'bin', COMMAND);
    if (!fs.existsSync(file)) return [`bin/${COMMAND} is missing from the package (linux.extraFiles)`];
    if ((fs.statSync(file).mode & 0o111) === 0)
      return [`bin/${COMMAND} is not executable (resources/bin/linux/${COMMAND})`];
  }
  if (platformName === 'win32' && !fs.existsSync(path.join(appOutDir, 'bin', `${COMMAND}.cmd`))) {
    return [`bin/${COMMAND}.cmd is missing from the package (win.extraFiles)`];
  }
  return [];
}

/** Runs `fn`, returning its problems, or the error it threw as one problem. */
async function attempt(what, fn) {
  try {
    return (await fn()) ?? [];
  } catch (err) {
    return [
      `${what}: ${String(err?.message ?? err)
        .split('\n')
        .filter(Boolean)
        .join(' ')}`,
    ];
  }
}

/**
 * The Linux checks on electron-builder's own objects: the deb's metadata check and scripts,
 * the icon set and the desktop entry, as the deb and AppImage targets compute them.
 */
async function linuxProblems(packager, appOutDir) {
  const require = createRequire(path.join(packager.projectDir, 'package.json'));
  const lib = path.dirname(require.resolve('app-builder-lib/package.json'));
  const { LinuxTargetHelper } = require(path.join(lib, 'out/targets/LinuxTargetHelper'));
  const FpmTarget = require(path.join(lib, 'out/targets/FpmTarget')).default;
  const helper = new LinuxTargetHelper(packager);
  const options = packager.platformSpecificBuildOptions;
  const deb = new FpmTarget('deb', packager, helper, appOutDir);
  return [
    ...linuxMetadataProblems(packager.info.metadata, options),
    ...(await attempt('deb', () => deb.checkOptions().then(() => []))),
    ...(await attempt('deb scripts (deb.afterInstall, deb.afterRemove)', () => deb.scriptFiles.then(() => []))),
    ...(await attempt('linux.icon', async () => iconSetProblems(await helper.icons))),
    ...(await attempt('desktop entry', async () =>
      desktopEntryProblems(await helper.computeDesktopEntry(options), packager.appInfo.productName),
    )),
  ];
}

/** Everything this packaged app would lack as an installer; empty when it is complete. */
export async function installerProblems(context) {
  const { packager, appOutDir, electronPlatformName } = context;
  const problems = launcherProblems(appOutDir, electronPlatformName);
  if (electronPlatformName === 'linux') problems.push(...(await linuxProblems(packager, appOutDir)));
  return problems;
}
